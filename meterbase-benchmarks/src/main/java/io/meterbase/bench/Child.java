package io.meterbase.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java process of the benchmarks' own classes (a load generator, a broker alone), on the same JDK, driven by lines
 * on its standard input and answering with lines on its standard output.
 */
final class Child implements AutoCloseable {

    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private Child(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts {@code main} with a 2 GB heap; its standard error goes to this process's. */
    static Child start(Class<?> main, String... args) throws IOException {
        return new Child(
                java(main, args).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    static ProcessBuilder java(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx2g",
                "-XX:+UseParallelGC",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The next line that starts with {@code prefix}; earlier lines are skipped. */
    String await(String prefix) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IOException("the child process ended before " + prefix);
    }

    /** Sends a command line. */
    void send(String command) throws IOException {
        in.write(command + "\n");
        in.flush();
    }

    /** Sends a command and returns the answer line starting with {@code answer}. */
    String ask(String command, String answer) throws IOException {
        send(command);
        return await(answer);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // it has ended already
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
