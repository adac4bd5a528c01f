package io.durablerunbooks.restore;

public record QueryResult(String name, boolean passed, String actual, String expected) {}
