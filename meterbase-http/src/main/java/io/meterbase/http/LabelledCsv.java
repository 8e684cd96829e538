package io.meterbase.http;

import java.io.IOException;
import java.io.Writer;
import java.util.Map;

/**
 * Prefixes each CSV line the store writes ({@code channel_id,ts,value,quality}) with the channel's device, name,
 * quantity and unit. The store writes whole lines per call.
 */
final class LabelledCsv extends Writer {

    private final Writer out;
    private final Map<Integer, String> labels;

    LabelledCsv(Writer out, Map<Integer, String> labels) {
        this.out = out;
        this.labels = labels;
    }

    @Override
    public void write(String line) throws IOException {
        int comma = line.indexOf(',');
        String label = labels.get(Integer.parseInt(line.substring(0, comma)));
        out.write(label == null ? ",,,," : label + ",");
        out.write(line);
    }

    @Override
    public void write(char[] buf, int off, int len) throws IOException {
        write(new String(buf, off, len));
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
