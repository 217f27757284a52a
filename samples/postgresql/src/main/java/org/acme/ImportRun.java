package org.acme;

import jakarta.persistence.Entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntity;

/** An import, kept by Hibernate in the application's PostgreSQL database. */
@Entity
public class ImportRun extends PanacheEntity {

    public String name;
    public int rows;
}
