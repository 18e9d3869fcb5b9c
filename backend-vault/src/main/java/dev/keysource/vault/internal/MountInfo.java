package dev.keysource.vault.internal;

/** A secrets-engine mount: its path (with a trailing slash), type, and KV version (0 for a non-KV engine). */
final class MountInfo {

    final String path;
    final String type;
    final int kv;

    MountInfo(String path, String type, int kv) {
        this.path = path.endsWith("/") ? path : path + "/";
        this.type = type;
        this.kv = kv;
    }

    boolean contains(String secretPath) {
        return (secretPath + "/").startsWith(path);
    }

    @Override
    public String toString() {
        return "MountInfo[" + path + ", " + type + (kv > 0 ? " v" + kv : "") + "]";
    }
}
