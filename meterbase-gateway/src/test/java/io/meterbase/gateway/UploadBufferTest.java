package io.meterbase.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadBufferTest {

    @TempDir
    Path dir;

    @Test
    void uploads_leaveInOrder_andSurviveARestart() throws Exception {
        UploadBuffer b = new UploadBuffer(dir, 10);
        b.add("one");
        b.add("two");

        UploadBuffer again = new UploadBuffer(dir, 10);
        assertThat(again.size()).isEqualTo(2);
        var first = again.oldest().orElseThrow();
        assertThat(first.body()).isEqualTo("one");
        again.acknowledged(first);
        assertThat(again.oldest().orElseThrow().body()).isEqualTo("two");
        again.add("three");
        assertThat(new UploadBuffer(dir, 10).size()).isEqualTo(2);
    }

    @Test
    void fullBuffer_dropsTheOldestAndCountsIt() throws Exception {
        UploadBuffer b = new UploadBuffer(dir, 2);
        b.add("1");
        b.add("2");
        b.add("3");

        assertThat(b.size()).isEqualTo(2);
        assertThat(b.dropped()).isEqualTo(1);
        assertThat(b.oldest().orElseThrow().body()).isEqualTo("2");
    }
}
