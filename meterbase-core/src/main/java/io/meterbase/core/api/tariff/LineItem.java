package io.meterbase.core.api.tariff;

import java.math.BigDecimal;

/** One line of a bill: a quantity at a unit price, and the amount rounded to the currency's minor unit. */
public record LineItem(String description, BigDecimal quantity, String unit, BigDecimal unitPrice, BigDecimal amount) {}
