package dev.flyteparity.testee;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.HashMap;
import java.util.Map;
import org.flyte.jflyte.api.FileSystem;
import org.flyte.jflyte.api.Manifest;

/**
 * A jflyte file system for one request: the inputs file holds the request's bytes, and every file
 * jflyte's ProtoWriter writes stays in memory for the answer.
 */
final class MemoryFileSystem implements FileSystem {
  private final String inputUri;
  private final byte[] input;
  private final Map<String, ByteArrayOutputStream> written = new HashMap<>(4);

  MemoryFileSystem(String inputUri, byte[] input) {
    this.inputUri = inputUri;
    this.input = input;
  }

  @Override
  public String getScheme() {
    return "memory";
  }

  @Override
  public ReadableByteChannel reader(String uri) {
    if (!uri.equals(inputUri)) {
      throw new UncheckedIOException(new FileNotFoundException(uri));
    }
    return Channels.newChannel(new ByteArrayInputStream(input));
  }

  @Override
  public WritableByteChannel writer(String uri) {
    ByteArrayOutputStream file = new ByteArrayOutputStream(256);
    written.put(uri, file);
    return Channels.newChannel(file);
  }

  @Override
  public Manifest getManifest(String uri) {
    return null;
  }

  /** What was written to {@code uri}, or null. */
  ByteArrayOutputStream written(String uri) {
    return written.get(uri);
  }

  void discard(String uri) {
    written.remove(uri);
  }
}
