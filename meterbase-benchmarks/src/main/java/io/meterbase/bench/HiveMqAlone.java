package io.meterbase.bench;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The embedded broker Meterbase uses (HiveMQ CE), without Meterbase, as its own process: the ceilings that
 * {@link MqttBenchmark} compares Meterbase with. Mode {@code plain}: no extension, PUBACK on receipt (anonymous
 * clients, in-memory sessions). Mode {@code async}: an inbound-publish interceptor that goes asynchronous and is
 * resumed at once from another thread — the path Meterbase's PUBACK-after-durable takes, with no work in it.
 * Prints READY, then runs until stdin closes.
 *
 * <p>Arguments: port dataDir mode
 */
public final class HiveMqAlone {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        boolean async = args[2].equals("async");
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("config.xml"), """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners><tcp-listener><port>%d</port><bind-address>127.0.0.1</bind-address></tcp-listener></listeners>
                    <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                </hivemq>
                """.formatted(port));
        var builder = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(Files.createDirectories(dir.resolve("data")))
                .withExtensionsFolder(Files.createDirectories(dir.resolve("extensions")));
        if (async) {
            builder.withEmbeddedExtension(EmbeddedExtension.builder()
                    .withId("resume-at-once")
                    .withName("resume at once")
                    .withVersion("1")
                    .withExtensionMain(new ResumeAtOnce())
                    .build());
        }
        EmbeddedHiveMQ hivemq = builder.build();
        hivemq.start().get(60, TimeUnit.SECONDS);
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() >= 0) {
            // runs until the benchmark closes stdin
        }
        hivemq.stop().get(30, TimeUnit.SECONDS);
        System.exit(0);
    }

    /** Goes asynchronous on every publish and resumes at once on another thread. */
    private static final class ResumeAtOnce implements ExtensionMain {
        private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();

        @Override
        public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
            Services.initializerRegistry()
                    .setClientInitializer((in, client) -> client.addPublishInboundInterceptor((i, out) -> {
                        Async<PublishInboundOutput> a = out.async(Duration.ofSeconds(60), TimeoutFallback.FAILURE);
                        work.execute(a::resume);
                    }));
        }

        @Override
        public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
            work.shutdown();
        }
    }
}
