package io.meterbase.analytics.forecast;

import java.time.LocalDate;

/** Forecasts the next 7 days of a daily series from its whole history. */
public interface WeekForecaster {

    String name();

    /**
     * The next 7 values after {@code history} (whose last value is the day before {@code nextDay}).
     */
    double[] forecast(double[] history, LocalDate nextDay);
}
