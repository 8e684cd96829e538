package io.meterbase.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Uploads waiting for the server, kept on local disk so that neither a server outage nor a gateway restart loses
 * them. One file per upload, named by a sequence number, sent in order and deleted once the server acknowledged
 * it. Bounded: when {@code capacity} uploads wait, the oldest is dropped to make room (newest data is kept; the
 * drops are counted and logged). The server stores a re-sent reading once, so an upload sent twice (a crash
 * between acknowledgement and deletion) does no harm. Thread-safe.
 */
public final class UploadBuffer {

    private final Path dir;
    private final int capacity;
    private final Deque<Path> queue = new ArrayDeque<>();
    private long next;
    private long dropped;

    public UploadBuffer(Path dir, int capacity) throws IOException {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: must be positive, was " + capacity);
        }
        this.dir = Files.createDirectories(dir);
        this.capacity = capacity;
        try (var files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .forEach(queue::add);
        }
        next = queue.isEmpty() ? 1 : sequence(queue.peekLast()) + 1;
    }

    private static long sequence(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - ".json".length()));
    }

    /** Keeps an upload durably (written to a temporary file, then renamed). */
    public synchronized void add(String upload) throws IOException {
        while (queue.size() >= capacity) {
            Files.deleteIfExists(queue.removeFirst());
            dropped++;
        }
        Path file = dir.resolve(String.format("%020d.json", next++));
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.writeString(tmp, upload, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        queue.addLast(file);
    }

    /** The oldest waiting upload. */
    public synchronized Optional<Pending> oldest() throws IOException {
        Path file = queue.peekFirst();
        return file == null ? Optional.empty() : Optional.of(new Pending(file, Files.readString(file)));
    }

    /** Forgets an upload the server acknowledged. */
    public synchronized void acknowledged(Pending p) throws IOException {
        if (p.file().equals(queue.peekFirst())) {
            queue.removeFirst();
        }
        Files.deleteIfExists(p.file());
    }

    public synchronized int size() {
        return queue.size();
    }

    /** Uploads dropped because the buffer was full. */
    public synchronized long dropped() {
        return dropped;
    }

    /** One waiting upload. */
    public record Pending(Path file, String body) {}
}
