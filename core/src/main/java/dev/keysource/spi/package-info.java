/**
 * The backend SPI: a {@link dev.keysource.spi.KeySourceProvider}, found with {@link java.util.ServiceLoader}, builds a
 * {@link dev.keysource.spi.KeySource} per reference.
 *
 * <p>Null-marked: a type here is non-null unless annotated {@link org.jspecify.annotations.Nullable}; NullAway
 * checks it at compile time.
 */
@NullMarked
package dev.keysource.spi;

import org.jspecify.annotations.NullMarked;
