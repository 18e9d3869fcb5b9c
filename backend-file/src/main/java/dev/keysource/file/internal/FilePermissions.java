package dev.keysource.file.internal;

import dev.keysource.SourceMisconfiguredException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Refuses a secret file that other users could change: a world-writable file (after following symbolic
 * links), or one in a world-writable directory without the sticky bit (anyone could swap the file or the
 * Kubernetes {@code ..data} link). Ownership is not checked: Vault Agent and CSI drivers write as their own
 * users, and a file is data, not code (compare the script backend, which also refuses helpers owned by
 * another user). On a file system without POSIX permissions nothing is checked.
 */
final class FilePermissions {

    private static final int STICKY = 01000;

    private FilePermissions() {
    }

    static void check(String reference, Path file) {
        Set<PosixFilePermission> perms;
        Path real;
        try {
            perms = Files.getPosixFilePermissions(file);
            real = file.toRealPath();
        } catch (IOException | UnsupportedOperationException e) {
            return; // missing (reported by the read) or not POSIX
        }
        if (perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new SourceMisconfiguredException(reference, "refusing to read " + file + ": it is "
                    + "world-writable (" + PosixFilePermissions.toString(perms) + "), so any user on this machine could "
                    + "change the secret; run: chmod o-w '" + real + "'");
        }
        checkDirectory(reference, file, file.getParent());
        if (real.getParent() != null && !real.getParent().equals(file.getParent())) {
            checkDirectory(reference, file, real.getParent());
        }
    }

    private static void checkDirectory(String reference, Path file, Path dir) {
        if (dir == null) {
            return;
        }
        int mode;
        try {
            mode = (Integer) Files.getAttribute(dir, "unix:mode");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return;
        }
        boolean othersWrite = (mode & 0002) != 0;
        if (othersWrite && (mode & STICKY) == 0) {
            throw new SourceMisconfiguredException(reference, "refusing to read " + file + ": its "
                    + "directory " + dir + " is world-writable without the sticky bit, so any user on this machine "
                    + "could replace the file; run: chmod o-w '" + dir + "' (or chmod +t)");
        }
    }
}
