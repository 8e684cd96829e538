package io.meterbase.core.ingest;

import io.meterbase.core.model.Reading;
import io.meterbase.core.store.QuarantineEntry;
import java.util.List;

/** An upload after normalization: readings in canonical units, and the refused ones with their reasons. */
public record Normalized(List<Reading> readings, List<Rejection> rejections, List<QuarantineEntry> quarantine) {}
