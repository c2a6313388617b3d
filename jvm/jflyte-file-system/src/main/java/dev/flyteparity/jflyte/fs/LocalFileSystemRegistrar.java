package dev.flyteparity.jflyte.fs;

import com.google.auto.service.AutoService;
import java.util.List;
import java.util.Map;
import org.flyte.jflyte.api.FileSystem;
import org.flyte.jflyte.api.FileSystemRegistrar;

/** Registers {@link LocalFileSystem} with jflyte; it needs no configuration. */
@AutoService(FileSystemRegistrar.class)
public final class LocalFileSystemRegistrar extends FileSystemRegistrar {

  @Override
  public Iterable<FileSystem> load(Map<String, String> env) {
    return List.of(new LocalFileSystem());
  }
}
