package io.meterbase.store.contract;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small tmpfs mounted for a disk-full test, with a filler file that takes its free space away and gives it back.
 * Mounting needs root (CI runs as root); elsewhere the test is skipped with the reason printed.
 */
public final class SmallDisk implements AutoCloseable {

    private final Path mount;
    private final Path filler;

    private static final Logger LOG = LoggerFactory.getLogger(SmallDisk.class);

    private SmallDisk(Path mount) {
        this.mount = mount;
        this.filler = mount.resolve("filler");
    }

    /** Mounts a tmpfs of {@code megabytes} at {@code mount} (created if needed), or skips the calling test. */
    public static SmallDisk mount(Path mount, int megabytes) throws IOException, InterruptedException {
        Files.createDirectories(mount);
        String refusal =
                run(List.of("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", mount.toString()));
        if (refusal != null) {
            LOG.warn("disk-full test skipped: mounting a tmpfs was refused: {}", refusal);
            Assumptions.abort("mounting a tmpfs was refused (needs root): " + refusal);
        }
        return new SmallDisk(mount);
    }

    public Path path() {
        return mount;
    }

    public long free() throws IOException {
        return Files.getFileStore(mount).getUsableSpace();
    }

    /** Writes the filler until at most {@code leaveBytes} are free (another program filling the disk). */
    public void fill(long leaveBytes) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (free() > leaveBytes) {
                out.write(block);
            }
        } catch (IOException e) {
            // the disk is full: that is what was asked
        }
    }

    /** Removes the filler: the space comes back. */
    public void release() throws IOException {
        Files.deleteIfExists(filler);
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(filler);
        String refusal;
        try {
            refusal = run(List.of("umount", "-l", mount.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            refusal = "interrupted";
        }
        if (refusal != null) {
            LOG.warn("could not unmount {}: {}", mount, refusal);
        }
    }

    /** Runs a command; null when it succeeded, else what it printed. */
    private static @Nullable String run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : out + " (exit " + p.exitValue() + ")";
    }
}
