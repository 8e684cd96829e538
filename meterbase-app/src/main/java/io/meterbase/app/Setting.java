package io.meterbase.app;

/**
 * One documented configuration key: its name in files ({@code http.port}), its environment variable
 * ({@code MB_HTTP_PORT}), its default and what it means, with its unit or range.
 */
public record Setting(String key, String defaultValue, String description) {

    /** The environment variable that overrides this key. */
    public String envName() {
        return "MB_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
