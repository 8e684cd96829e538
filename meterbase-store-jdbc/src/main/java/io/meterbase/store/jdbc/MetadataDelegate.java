package io.meterbase.store.jdbc;

import io.meterbase.core.model.ApiKey;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.model.Site;
import io.meterbase.core.store.MetadataBatch;
import io.meterbase.core.store.MetadataStore;
import java.util.List;
import java.util.Map;

/** A store whose metadata part is another {@link MetadataStore}: every metadata call goes to {@link #metadata()}. */
public interface MetadataDelegate extends MetadataStore {

    MetadataStore metadata();

    @Override
    default void save(Customer customer) {
        metadata().save(customer);
    }

    @Override
    default void save(Site site) {
        metadata().save(site);
    }

    @Override
    default void save(Gateway gateway) {
        metadata().save(gateway);
    }

    @Override
    default void save(Device device) {
        metadata().save(device);
    }

    @Override
    default void save(Channel channel) {
        metadata().save(channel);
    }

    @Override
    default void save(ApiKey key) {
        metadata().save(key);
    }

    @Override
    default void saveAll(MetadataBatch batch) {
        metadata().saveAll(batch);
    }

    @Override
    default List<Customer> customers() {
        return metadata().customers();
    }

    @Override
    default List<Site> sites() {
        return metadata().sites();
    }

    @Override
    default List<Gateway> gateways() {
        return metadata().gateways();
    }

    @Override
    default List<Device> devices() {
        return metadata().devices();
    }

    @Override
    default List<Channel> channels() {
        return metadata().channels();
    }

    @Override
    default List<ApiKey> apiKeys() {
        return metadata().apiKeys();
    }

    @Override
    default void saveDocument(String kind, String id, String json) {
        metadata().saveDocument(kind, id, json);
    }

    @Override
    default void saveDocuments(String kind, Map<String, String> jsonById) {
        metadata().saveDocuments(kind, jsonById);
    }

    @Override
    default void deleteDocument(String kind, String id) {
        metadata().deleteDocument(kind, id);
    }

    @Override
    default Map<String, String> documents(String kind) {
        return metadata().documents(kind);
    }

    @Override
    default List<String> documentKinds() {
        return metadata().documentKinds();
    }
}
