package io.meterbase.core.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HistoryServiceTest {

    @Test
    void bucketWidth_isRoundAndKeepsPointsUnderTheLimit() {
        long year = 365 * HistoryService.DAY;

        long width = HistoryService.bucketWidth(year, 2000);

        assertThat(width).isEqualTo(6 * HistoryService.HOUR);
        assertThat(year / width + 1).isLessThanOrEqualTo(2000);
        assertThat(HistoryService.bucketWidth(HistoryService.HOUR, 2000)).isEqualTo(2 * HistoryService.SECOND);
        assertThat(HistoryService.bucketWidth(HistoryService.DAY, 100)).isEqualTo(900 * HistoryService.SECOND);
    }
}
