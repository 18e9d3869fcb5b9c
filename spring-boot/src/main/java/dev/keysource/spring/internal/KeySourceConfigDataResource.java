package dev.keysource.spring.internal;

import java.util.List;
import java.util.Objects;
import org.springframework.boot.context.config.ConfigDataResource;

/** One {@code keysource:} import: the reference to read and how its values become properties. */
final class KeySourceConfigDataResource extends ConfigDataResource {

    final String location;
    final String reference;
    final String prefix;
    final List<String> fields;
    final String property;
    final boolean optional;

    KeySourceConfigDataResource(String location, String reference, String prefix, List<String> fields,
                                String property, boolean optional) {
        super(optional);
        this.location = location;
        this.reference = reference;
        this.prefix = prefix;
        this.fields = fields;
        this.property = property;
        this.optional = optional;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeySourceConfigDataResource r && r.location.equals(location);
    }

    @Override
    public int hashCode() {
        return Objects.hash(location);
    }

    @Override
    public String toString() {
        return "keysource:" + location;
    }
}
