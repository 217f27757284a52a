package io.quarkiverse.taskqueue.it;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntity;

/** The test application's own entity, written in the same transaction as the tasks it submits. */
@Entity
@Table(name = "it_purchase")
public class Purchase extends PanacheEntity {

    public String name;
}
