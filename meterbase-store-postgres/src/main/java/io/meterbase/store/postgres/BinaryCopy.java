package io.meterbase.store.postgres;

import io.meterbase.core.model.Reading;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Encodes readings in PostgreSQL's binary COPY format for the columns {@code (ts, value, channel_id, quality)}:
 * no text formatting or parsing of timestamps and doubles on either side.
 */
final class BinaryCopy {

    /** Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01 (UTC). */
    private static final long PG_EPOCH_MILLIS = 946_684_800_000L;

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    private BinaryCopy() {}

    static byte[] encode(List<Reading> readings) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(19 + readings.size() * 40 + 2);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(SIGNATURE);
            out.writeInt(0); // flags
            out.writeInt(0); // header extension length
            for (Reading r : readings) {
                out.writeShort(4);
                out.writeInt(8);
                out.writeLong((r.timestamp() - PG_EPOCH_MILLIS) * 1000);
                out.writeInt(8);
                out.writeDouble(r.value());
                out.writeInt(4);
                out.writeInt(r.channelId());
                out.writeInt(2);
                out.writeShort(r.quality().ordinal());
            }
            out.writeShort(-1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
