/** Binds keysource events and statistics to a Micrometer {@code MeterRegistry}. */
module dev.keysource.micrometer {
    requires transitive dev.keysource.core;
    requires transitive micrometer.core;

    exports dev.keysource.micrometer;
}
