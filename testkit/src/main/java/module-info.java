/** Fakes for tests of code that uses keysource: fake time, a manual scheduler, a scripted source, the canary extension. */
module dev.keysource.testkit {
    requires transitive dev.keysource.core;
    requires transitive org.junit.jupiter.api; // CanaryExtension implements its callbacks

    exports dev.keysource.testkit;

    provides org.junit.jupiter.api.extension.Extension with dev.keysource.testkit.CanaryExtension;
}
