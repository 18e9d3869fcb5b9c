package dev.keysource.script.internal;

import dev.keysource.SourceMisconfiguredException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Refuses a helper file that someone else could change: one that is world-writable, or owned by a user
 * other than the one running this JVM and root, or in a directory (at any level above it, along the path
 * as written and along the path its symbolic links lead to) that is world-writable without the sticky
 * bit or owned by such a user. Symbolic links are followed to the file itself.
 */
final class HelperFile {

    private final Optional<Integer> currentUid;
    private final String currentUser;

    HelperFile(Optional<Integer> currentUid, String currentUser) {
        this.currentUid = currentUid;
        this.currentUser = currentUser;
    }

    /** The user running this JVM: the owner of {@code /proc/self} where there is one, else {@code user.name}. */
    static HelperFile forCurrentUser() {
        Optional<Integer> uid = Optional.empty();
        try {
            Path self = Path.of("/proc/self");
            if (Files.exists(self)) {
                uid = Optional.of((Integer) Files.getAttribute(self, "unix:uid"));
            }
        } catch (IOException | RuntimeException e) {
            uid = Optional.empty();
        }
        return new HelperFile(uid, System.getProperty("user.name", ""));
    }

    /**
     * Checks the file; a file that does not exist passes (the shell reports it).
     *
     * @throws SourceMisconfiguredException saying what is wrong with the file and how to fix it
     */
    void check(String reference, Path file) {
        PosixFileAttributes a;
        int uid;
        try {
            a = Files.readAttributes(file, PosixFileAttributes.class);
            uid = (Integer) Files.getAttribute(file, "unix:uid");
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return; // not a POSIX file system: nothing to check
        }
        if (a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new SourceMisconfiguredException(reference, "refusing to run the helper " + file
                    + ": it is world-writable (" + PosixFilePermissions.toString(a.permissions()) + "), so any user "
                    + "on this machine could change what it prints; run: chmod o-w " + CommandLine.shellQuote(file.toString()));
        }
        if (uid != 0 && !mine(uid, a)) {
            throw new SourceMisconfiguredException(reference, "refusing to run the helper " + file
                    + ": it is owned by user '" + a.owner().getName() + "' (uid " + uid + "), neither you"
                    + you() + " nor root, so that "
                    + "user could change what it prints; take ownership (chown) of a copy you trust");
        }
        // whoever can write a directory above it can replace it: the path as written, and where it leads
        java.util.Set<Path> seen = new java.util.HashSet<>();
        directories(reference, file, file.toAbsolutePath().normalize().getParent(), seen);
        try {
            directories(reference, file, file.toRealPath().getParent(), seen);
        } catch (IOException | RuntimeException e) {
            // gone meanwhile: the shell reports it
        }
    }

    private void directories(String reference, Path file, Path dir, java.util.Set<Path> seen) {
        for (Path d = dir; d != null; d = d.getParent()) {
            if (!seen.add(d)) {
                continue;
            }
            int mode;
            int uid;
            PosixFileAttributes a;
            try {
                a = Files.readAttributes(d, PosixFileAttributes.class);
                mode = (Integer) Files.getAttribute(d, "unix:mode");
                uid = (Integer) Files.getAttribute(d, "unix:uid");
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                return; // unreadable or not POSIX: nothing more to check
            }
            boolean sticky = (mode & 01000) != 0;
            if (a.permissions().contains(PosixFilePermission.OTHERS_WRITE) && !sticky) {
                throw new SourceMisconfiguredException(reference, "refusing to run the helper " + file
                        + ": its directory " + d + " is world-writable without the sticky bit ("
                        + PosixFilePermissions.toString(a.permissions()) + "), so any user on this machine could replace "
                        + "the helper; run: chmod o-w " + CommandLine.shellQuote(d.toString()) + " (or move the helper "
                        + "to a directory only you can write)");
            }
            if (uid != 0 && !mine(uid, a)) {
                throw new SourceMisconfiguredException(reference, "refusing to run the helper " + file
                        + ": its directory " + d + " is owned by user '" + a.owner().getName() + "' (uid " + uid
                        + "), neither you" + you() + " nor root, so that user could replace the helper; move the helper "
                        + "to a directory you own");
            }
        }
    }

    private boolean mine(int uid, PosixFileAttributes a) {
        return currentUid.isPresent() ? uid == currentUid.get() : a.owner().getName().equals(currentUser);
    }

    private String you() {
        return currentUid.map(u -> " (uid " + u + ")").orElse(" (" + currentUser + ")");
    }
}
