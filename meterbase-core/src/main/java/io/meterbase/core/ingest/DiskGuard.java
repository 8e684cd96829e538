package io.meterbase.core.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the free space of the disks that hold the server's data and refuses new work before they are full: below
 * {@code minFreeBytes} on any of them, ingest is refused (503 with a reason) until every one has
 * {@code minFreeBytes} plus a margin again. {@link #check()} is called periodically; the rest is cheap and
 * thread-safe.
 */
public final class DiskGuard {

    private static final Logger LOG = LoggerFactory.getLogger(DiskGuard.class);

    private final List<Path> paths;
    private final long minFreeBytes;
    private final long resumeBytes;
    private volatile @Nullable String refusal;
    private volatile long freeBytes = Long.MAX_VALUE;

    public DiskGuard(List<Path> paths, long minFreeBytes) {
        this.paths = List.copyOf(paths);
        this.minFreeBytes = minFreeBytes;
        this.resumeBytes = minFreeBytes + Math.max(minFreeBytes / 8, 1L << 20);
        check();
    }

    /** A guard that never refuses. */
    public static DiskGuard off() {
        return new DiskGuard(List.of(), 0);
    }

    /** Measures the free space again and decides whether ingest is refused. */
    public void check() {
        long least = Long.MAX_VALUE;
        Path tightest = null;
        for (Path p : paths) {
            try {
                long free = Files.getFileStore(existing(p)).getUsableSpace();
                if (free < least) {
                    least = free;
                    tightest = p;
                }
            } catch (IOException e) {
                LOG.debug("Cannot measure the free space of {}: {}", p, e.toString());
            }
        }
        freeBytes = least;
        if (tightest == null) {
            refusal = null;
            return;
        }
        if (refusal == null && least < minFreeBytes) {
            refusal = String.format(
                    "the disk of %s has %s free, below the %s kept free; new readings are refused until space is"
                            + " freed",
                    tightest, size(least), size(minFreeBytes));
            LOG.warn("Ingest paused: {}", refusal);
        } else if (refusal != null && least >= resumeBytes) {
            LOG.info("Ingest resumed: {} free on {}", size(least), tightest);
            refusal = null;
        }
    }

    private static Path existing(Path p) {
        Path at = p.toAbsolutePath();
        while (at != null && !Files.exists(at)) {
            at = at.getParent();
        }
        return at == null ? p : at;
    }

    /** Why new work is refused now, if it is. */
    public Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** The least free space of the watched disks at the last check, in bytes. */
    public long freeBytes() {
        return freeBytes;
    }

    public long minFreeBytes() {
        return minFreeBytes;
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format("%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format("%.1f MiB", bytes / (double) (1L << 20));
    }
}
