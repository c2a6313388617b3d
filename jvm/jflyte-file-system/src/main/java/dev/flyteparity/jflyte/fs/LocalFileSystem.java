package dev.flyteparity.jflyte.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.flyte.jflyte.api.FileSystem;
import org.flyte.jflyte.api.Manifest;

/**
 * jflyte FileSystem over file:// URIs: {@code file:///absolute/path}, and {@code
 * file://<container>/<key>} as Flyte's local (stow) storage writes them, read like fsspec reads
 * them: {@code <container>/<key>} relative to the working directory.
 */
public final class LocalFileSystem implements FileSystem {

  static final String SCHEME = "file";

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public ReadableByteChannel reader(String uri) {
    try {
      return FileChannel.open(toPath(uri), StandardOpenOption.READ);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri, e);
    }
  }

  @Override
  public WritableByteChannel writer(String uri) {
    Path path = toPath(uri);
    try {
      Path parent = path.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return FileChannel.open(
          path,
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + uri, e);
    }
  }

  /** A manifest when the file exists (jflyte then skips staging it again), else null. */
  @Override
  public Manifest getManifest(String uri) {
    return Files.isRegularFile(toPath(uri)) ? Manifest.create() : null;
  }

  static Path toPath(String uri) {
    URI parsed = URI.create(uri);
    if (!SCHEME.equals(parsed.getScheme()) || parsed.getPath() == null) {
      throw new IllegalArgumentException("not a file:// URI: " + uri);
    }
    String authority = parsed.getRawAuthority();
    if (authority == null || authority.isEmpty()) {
      return Path.of(parsed);
    }
    // file://flyte/raw/x: the container "flyte" under the working directory, as fsspec reads it.
    return Path.of("").toAbsolutePath().resolve(authority + parsed.getPath());
  }
}
