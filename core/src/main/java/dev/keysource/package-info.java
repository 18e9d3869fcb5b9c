/**
 * The keysource API: {@link dev.keysource.Keys}, {@link dev.keysource.CachedKey}, {@link dev.keysource.KeyRef},
 * {@link dev.keysource.Secret} and the failure types rooted at {@link dev.keysource.KeySourceException}.
 *
 * <p>Null-marked: a type here is non-null unless annotated {@link org.jspecify.annotations.Nullable}; NullAway
 * checks it at compile time.
 */
@NullMarked
package dev.keysource;

import org.jspecify.annotations.NullMarked;
