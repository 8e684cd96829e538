package io.meterbase.store.postgres;

/**
 * How to reach the production store: JDBC URL, credentials, and the size of the connection pool. With
 * {@code migrate} the schema is brought up to date at open; otherwise a schema behind the code is an error.
 */
public record PostgresOptions(String jdbcUrl, String user, String password, int poolSize, boolean migrate) {

    public PostgresOptions {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("jdbcUrl: must start with jdbc:postgresql:, was " + jdbcUrl);
        }
        if (poolSize < 2) {
            throw new IllegalArgumentException("poolSize: must be at least 2, was " + poolSize);
        }
    }
}
