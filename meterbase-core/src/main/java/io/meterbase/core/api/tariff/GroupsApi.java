package io.meterbase.core.api.tariff;

/** The groups of customers that tariffs are for. */
public interface GroupsApi {

    /** Puts a customer in a group (for example "social"). */
    void assign(long customerId, String group);
}
