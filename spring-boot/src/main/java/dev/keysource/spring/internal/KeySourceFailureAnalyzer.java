package dev.keysource.spring.internal;

import dev.keysource.InvalidReferenceException;
import dev.keysource.KeyRef;
import dev.keysource.KeySourceException;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceInterruptedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.spring.KeySourceStartupException;
import java.util.Set;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Turns keysource's start-up failures into a description (what failed: the property or import, the
 * reference, keysource's message) and an action (what to change). Handles {@link KeySourceStartupException},
 * a {@code keysource.*} property Spring could not convert, and a {@link KeySourceException} thrown while the
 * context started. Never shows the value of a credential property.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public final class KeySourceFailureAnalyzer implements FailureAnalyzer {

    private static final Set<String> CREDENTIALS = Set.of("keysource.vault.token", "keysource.vault.secret-id",
            "keysource.vault.role-id");
    private static final String SKIP = "To start without waiting for the backend, mark the import optional "
            + "(spring.config.import=optional:keysource:...) or set keysource.fail-fast=false; keys are then "
            + "fetched on first use.";

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        KeySourceStartupException startup = find(failure, KeySourceStartupException.class);
        if (startup != null) {
            KeySourceException cause = find(startup, KeySourceException.class);
            if (cause == null) {
                return new FailureAnalysis(startup.getMessage(), fixSetting(startup.property()), startup);
            }
            return new FailureAnalysis(startup.getMessage(), action(cause, startup.property()), startup);
        }
        BindException bind = find(failure, BindException.class);
        if (bind != null) {
            ConfigurationProperty p = bind.getProperty();
            String name = p != null ? p.getName().toString() : bind.getName().toString();
            if (name.startsWith("keysource.") || name.equals("keysource")) {
                return bindFailure(bind, p, name);
            }
        }
        KeySourceException ks = find(failure, KeySourceException.class);
        if (ks != null) {
            return new FailureAnalysis("keysource could not fetch " + ks.reference() + " while the application "
                    + "started: " + ks.getMessage(), action(ks, null), ks);
        }
        return null;
    }

    private static FailureAnalysis bindFailure(BindException bind, ConfigurationProperty p, String name) {
        String value = p == null || CREDENTIALS.contains(name) ? "" : " '" + p.getValue() + "'";
        String origin = p != null && p.getOrigin() != null ? " (from " + p.getOrigin() + ")" : "";
        Throwable root = bind;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = root == bind ? "" : ": " + root.getMessage();
        String description = "Invalid value" + value + " for " + name + origin + reason;
        String target = bind.getTarget() == null ? "" : String.valueOf(bind.getTarget().getType());
        String action;
        if (target.contains("Duration")) {
            action = "Set " + name + " to a duration with a unit, such as 30s, 5m, 1h or PT5M (docs/spring-boot.md lists "
                    + "every property with its default).";
        } else if (target.contains("double") || target.contains("int") || target.contains("long")
                || target.contains("Long") || target.contains("Integer") || target.contains("Double")) {
            action = "Set " + name + " to a number (docs/spring-boot.md lists every property with its default).";
        } else if (target.contains("boolean") || target.contains("Boolean")) {
            action = "Set " + name + " to true or false.";
        } else {
            action = "Fix " + name + " (docs/spring-boot.md lists every property with its default).";
        }
        return new FailureAnalysis(description, action, bind);
    }

    private static String fixSetting(String property) {
        if (property != null && property.startsWith("spring.config.import")) {
            return "Fix the import: spring.config.import=keysource:<reference> with a reference as keysource takes it "
                    + "(vault:secret/app#password, aws-sm:prod/db#password), options ?prefix=, ?fields=a|b or "
                    + "?property=<name> (docs/spring-boot.md).";
        }
        return "Fix " + property + " (docs/spring-boot.md lists every property with its default and allowed values).";
    }

    private static String action(KeySourceException e, String property) {
        String scheme = e.reference() == null ? null : KeyRef.schemeOf(e.reference());
        String prefix = "vault".equals(scheme) ? "keysource.vault" : "aws-sm".equals(scheme) ? "keysource.aws"
                : "keysource.settings." + scheme;
        String where = property == null ? "" : " (" + property + ")";
        String what;
        if (e instanceof SourceAccessDeniedException) {
            what = "The backend refused keysource's credentials or their policy does not allow reading " + e.reference()
                    + where + ". Check the credentials (" + credentialsHint(scheme, prefix) + ") and the policy "
                    + "named in the message.";
        } else if (e instanceof SecretNotFoundException) {
            what = "There is no secret at " + e.reference() + where + ". Check the path and field, e.g. with "
                    + hint(scheme) + ", or fix the reference.";
        } else if (e instanceof InvalidReferenceException) {
            what = "Fix the reference" + (e.reference() == null ? "" : " " + e.reference()) + where
                    + " as the message says (docs/configuration.md).";
        } else if (e instanceof SourceMisconfiguredException) {
            what = "Fix the setting or reference the message names" + where + "; backend settings are "
                    + prefix + ".* (docs/spring-boot.md).";
        } else if (e instanceof SourceUnavailableException || e instanceof SourceInterruptedException) {
            what = "The backend did not answer for " + e.reference() + where + ". Check that it is reachable at the "
                    + "address in the message (" + prefix + ".address or the backend's environment variables) and "
                    + "that it is unsealed and up.";
        } else if (e instanceof dev.keysource.InternalKeySourceException) {
            what = "This is a bug in keysource or its backend, not in your configuration (" + e.reference() + where
                    + "): please report it at " + dev.keysource.InternalKeySourceException.REPORT_URL
                    + " with the message.";
        } else {
            what = "See the message for what failed for " + e.reference() + where + ".";
        }
        return what + " " + SKIP;
    }

    private static String credentialsHint(String scheme, String prefix) {
        if ("vault".equals(scheme)) {
            return "keysource.vault.token, or keysource.vault.auth=approle with keysource.vault.role-id and "
                    + "keysource.vault.secret-id";
        }
        if ("aws-sm".equals(scheme)) {
            return "the AWS credentials chain, keysource.aws.profile";
        }
        return prefix + ".*";
    }

    private static String hint(String scheme) {
        if ("vault".equals(scheme)) {
            return "vault kv get";
        }
        if ("aws-sm".equals(scheme)) {
            return "aws secretsmanager get-secret-value";
        }
        return "keysource get";
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (int depth = 0; t != null && depth < 30; t = t.getCause(), depth++) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
