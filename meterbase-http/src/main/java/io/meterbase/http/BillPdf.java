package io.meterbase.http;

import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.FontFactory;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import io.meterbase.core.api.tariff.Bill;
import io.meterbase.core.api.tariff.LineItem;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * A bill as a PDF a household can keep or print (OpenPDF): who and which period, the tariff, every line with its
 * quantity, unit price and amount, the total, the consumption that was estimated, and the energy cost per
 * appliance. The figures are the bill's own (the same as {@code /api/v1/bill} and its CSV), never recomputed here.
 */
final class BillPdf {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH);
    private static final Font TITLE = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 18);
    private static final Font BOLD = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 10);
    private static final Font TEXT = FontFactory.getFont(FontFactory.HELVETICA, 10);
    private static final Font SMALL = FontFactory.getFont(FontFactory.HELVETICA, 8);

    private BillPdf() {}

    /**
     * @param customer the customer's name as shown on the bill
     * @param zone the home's time zone: the period's days are the home's
     */
    static byte[] write(Bill bill, String customer, ZoneId zone) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Document doc = new Document(PageSize.A4, 48, 48, 48, 48);
        try {
            PdfWriter.getInstance(doc, out);
            doc.addTitle("Bill " + bill.from().atZone(zone).toLocalDate());
            doc.addCreator("Meterbase");
            doc.open();
            doc.add(new Paragraph("Meterbase · " + bill.commodity() + " bill", TITLE));
            doc.add(new Paragraph(customer, BOLD));
            // the period's end is exclusive: the last day billed is the day before
            doc.add(new Paragraph(
                    "From " + DAY.format(bill.from().atZone(zone)) + " to "
                            + DAY.format(bill.to().atZone(zone).minusNanos(1)) + " (included), tariff "
                            + bill.tariffId() + ", amounts in " + bill.currency(),
                    TEXT));
            doc.add(new Paragraph(" ", TEXT));

            PdfPTable lines = new PdfPTable(new float[] {5, 2, 1, 2, 2});
            lines.setWidthPercentage(100);
            for (String h : new String[] {"Line", "Quantity", "Unit", "Unit price", "Amount"}) {
                lines.addCell(cell(h, BOLD, h.equals("Line") || h.equals("Unit")));
            }
            for (LineItem l : bill.lines()) {
                lines.addCell(cell(l.description(), TEXT, true));
                lines.addCell(cell(l.quantity().toPlainString(), TEXT, false));
                lines.addCell(cell(l.unit(), TEXT, true));
                lines.addCell(cell(l.unitPrice().toPlainString(), TEXT, false));
                lines.addCell(cell(l.amount().toPlainString(), TEXT, false));
            }
            lines.addCell(cell("Total", BOLD, true));
            lines.addCell(cell(bill.consumption().toPlainString(), BOLD, false));
            lines.addCell(cell(bill.unit(), BOLD, true));
            lines.addCell(cell("", BOLD, false));
            lines.addCell(cell(bill.total().toPlainString() + " " + bill.currency(), BOLD, false));
            doc.add(lines);

            if (bill.estimatedConsumption().signum() > 0) {
                doc.add(new Paragraph(
                        bill.estimatedConsumption().toPlainString() + " " + bill.unit()
                                + " of it estimated (hours in which the meter sent nothing).",
                        SMALL));
            }
            if (bill.uncosted().signum() > 0) {
                doc.add(new Paragraph(
                        bill.uncosted().toPlainString() + " " + bill.unit()
                                + " before the tariff's first version is not costed.",
                        SMALL));
            }
            if (!bill.byDevice().isEmpty()) {
                doc.add(new Paragraph(" ", TEXT));
                doc.add(new Paragraph("Energy cost per appliance", BOLD));
                PdfPTable devices = new PdfPTable(new float[] {5, 2});
                devices.setWidthPercentage(60);
                devices.setHorizontalAlignment(Element.ALIGN_LEFT);
                bill.byDevice().entrySet().stream()
                        .sorted(Map.Entry.<String, BigDecimal>comparingByValue().reversed())
                        .forEach(e -> {
                            devices.addCell(cell(e.getKey(), TEXT, true));
                            devices.addCell(cell(e.getValue().toPlainString(), TEXT, false));
                        });
                doc.add(devices);
            }
            doc.close();
        } catch (DocumentException e) {
            throw new IllegalStateException("the bill's PDF could not be made: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static PdfPCell cell(String text, Font font, boolean left) {
        PdfPCell c = new PdfPCell(new Phrase(text, font));
        c.setHorizontalAlignment(left ? Element.ALIGN_LEFT : Element.ALIGN_RIGHT);
        c.setBorderWidth(0.5f);
        c.setPadding(4);
        return c;
    }
}
