package io.meterbase.http;

import org.jspecify.annotations.Nullable;

/** An answer other than success: the HTTP status, a stable machine-readable reason, and words for people. */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String reason;

    public ApiException(int status, String reason, @Nullable String message) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public static ApiException badRequest(@Nullable String message) {
        return new ApiException(400, "bad_request", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message);
    }
}
