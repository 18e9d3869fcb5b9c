package dev.keysource.aws.internal;

import java.net.URI;

/**
 * Where a source reads from, for messages: region (and where it came from), endpoint and the kind of
 * credentials. Holds no credential.
 */
public final class Where {

    private final String region;
    private final String regionOrigin;
    private final URI endpoint;
    private final String credentials;

    public Where(String region, String regionOrigin, URI endpoint, String credentials) {
        this.region = region;
        this.regionOrigin = regionOrigin;
        this.endpoint = endpoint;
        this.credentials = credentials;
    }

    public String region() {
        return region;
    }

    /** "in region eu-west-1 at http://127.0.0.1:4566" (no endpoint part when the AWS default is used). */
    public String describe() {
        return "in region " + (region != null ? region : "(unknown)")
                + (endpoint != null ? " at " + endpoint : "");
    }

    /** The endpoint override, or null for the AWS default of the region. */
    public URI endpoint() {
        return endpoint;
    }

    /** Where the region came from ("environment variable AWS_REGION"), or null. */
    public String regionOrigin() {
        return regionOrigin;
    }

    /** "static credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", "profile 'dev'", ... */
    public String credentials() {
        return credentials;
    }

    @Override
    public String toString() {
        return describe() + " with " + credentials;
    }
}
