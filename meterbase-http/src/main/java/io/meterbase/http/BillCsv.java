package io.meterbase.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.meterbase.core.api.tariff.Bill;
import io.meterbase.core.api.tariff.LineItem;
import java.util.ArrayList;
import java.util.List;

/** A bill as CSV (Jackson's CSV writer, so that descriptions with commas or quotes stay one field). */
final class BillCsv {

    /** One line of the bill: a charge, or the total. */
    @JsonPropertyOrder({
        "period_from",
        "period_to",
        "tariff",
        "line",
        "quantity",
        "unit",
        "unit_price",
        "amount",
        "currency"
    })
    record Row(
            String period_from,
            String period_to,
            String tariff,
            String line,
            String quantity,
            String unit,
            String unit_price,
            String amount,
            String currency) {}

    private static final CsvMapper CSV = new CsvMapper();
    private static final CsvSchema SCHEMA = CSV.schemaFor(Row.class).withHeader();

    private BillCsv() {}

    static String write(Bill bill) throws JsonProcessingException {
        List<Row> rows = new ArrayList<>();
        for (LineItem l : bill.lines()) {
            rows.add(new Row(
                    bill.from().toString(),
                    bill.to().toString(),
                    bill.tariffId(),
                    l.description(),
                    l.quantity().toPlainString(),
                    l.unit(),
                    l.unitPrice().toPlainString(),
                    l.amount().toPlainString(),
                    bill.currency()));
        }
        rows.add(new Row(
                bill.from().toString(),
                bill.to().toString(),
                bill.tariffId(),
                "Total",
                bill.consumption().toPlainString(),
                bill.unit(),
                "",
                bill.total().toPlainString(),
                bill.currency()));
        return CSV.writer(SCHEMA).writeValueAsString(rows);
    }
}
