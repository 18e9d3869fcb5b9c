package dev.keysource.script.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysource.SourceMisconfiguredException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HelperFileTest {

    @TempDir
    Path dir;

    @Test
    void check_fileOwnedByAnotherNonRootUser_isRefused() throws Exception {
        Path h = Helpers.script(dir, "theirs.sh", "echo k");
        int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        HelperFile check;
        if (me == 0) {
            Files.setAttribute(h, "unix:uid", 65534); // as root: give it to nobody
            check = new HelperFile(Optional.of(0), "root");
        } else {
            check = new HelperFile(Optional.of(me + 1), "someone-else"); // we are the "other" user
        }
        int owner = (Integer) Files.getAttribute(h, "unix:uid");
        assertThatThrownBy(() -> check.check("script:" + h, h))
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageContaining("refusing to run the helper " + h + ": it is owned by user '")
                .hasMessageContaining("(uid " + owner + "), neither you")
                .hasMessageContaining("nor root");
    }

    @Test
    void check_fileOwnedByRootOrMe_passes() throws Exception {
        Path h = Helpers.script(dir, "mine.sh", "echo k");
        int owner = (Integer) Files.getAttribute(h, "unix:uid");
        assertThatCode(() -> new HelperFile(Optional.of(owner), "me").check("script:x", h)).doesNotThrowAnyException();
        assertThatCode(() -> HelperFile.forCurrentUser().check("script:x", h)).doesNotThrowAnyException();
        if (owner == 0) {
            assertThatCode(() -> new HelperFile(Optional.of(4242), "other").check("script:x", h))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void check_symlinkToWorldWritableFile_isRefused() throws Exception {
        Path h = Helpers.script(dir, "target.sh", "echo k");
        Files.setPosixFilePermissions(h, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xrwx"));
        Path link = Files.createSymbolicLink(dir.resolve("link.sh"), h);
        assertThatThrownBy(() -> HelperFile.forCurrentUser().check("script:" + link, link))
                .hasMessageContaining("world-writable (rwxr-xrwx)");
    }

    @Test
    void check_missingFile_passesForTheShellToReport() {
        assertThatCode(() -> HelperFile.forCurrentUser().check("script:x", dir.resolve("missing")))
                .doesNotThrowAnyException();
    }

    // issue 15 #5: the directories above a helper count too

    @Test
    void check_helperInAWorldWritableNonStickyDirectory_isRefused() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Path h = Helpers.script(open, "get.sh", "echo k");
        Files.setPosixFilePermissions(h, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> HelperFile.forCurrentUser().check("script:" + h, h))
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("script:" + h + ": refusing to run the helper " + h + ": its directory " + open
                        + " is world-writable without the sticky bit (rwxrwxrwx), so any user on this machine could "
                        + "replace the helper; run: chmod o-w '" + open + "' (or move the helper to a directory only you can write)");
    }

    @Test
    void check_helperInAStickyWorldWritableDirectory_passes() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
        org.junit.jupiter.api.Assumptions.assumeTrue(tmp.equals(dir.toRealPath().getParent()), "the temp dir is under /tmp");
        Path h = Helpers.script(dir, "get.sh", "echo k");
        assertThatCode(() -> HelperFile.forCurrentUser().check("script:" + h, h)).doesNotThrowAnyException();
    }
}
