package dev.flyteparity.idl;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Writes every protobuf file descriptor compiled into the jar that holds {@code
 * flyteidl.core.Literals} (and the files they import) as one FileDescriptorSet.
 *
 * <p>Usage: {@code DumpDescriptors <out.pb>}. Exit 2 with one line on bad usage.
 */
public final class DumpDescriptors {
  private DumpDescriptors() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: DumpDescriptors <out.pb>");
      System.exit(2);
    }
    Map<String, FileDescriptorProto> files = new TreeMap<>();
    Deque<FileDescriptor> pending = new ArrayDeque<>();
    try (JarFile jar = new JarFile(idlJar().toFile())) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        if (!name.startsWith("flyteidl/") || !name.endsWith(".class") || name.contains("$")) {
          continue;
        }
        FileDescriptor descriptor = descriptorOf(name.substring(0, name.length() - 6).replace('/', '.'));
        if (descriptor != null) {
          pending.add(descriptor);
        }
      }
    }
    while (!pending.isEmpty()) {
      FileDescriptor file = pending.pop();
      if (files.putIfAbsent(file.getName(), file.toProto()) == null) {
        pending.addAll(file.getDependencies());
      }
    }
    FileDescriptorSet set = FileDescriptorSet.newBuilder().addAllFile(files.values()).build();
    try (OutputStream out = Files.newOutputStream(Paths.get(args[0]))) {
      set.writeTo(out);
    }
  }

  private static Path idlJar() throws URISyntaxException {
    return Paths.get(
        flyteidl.core.Literals.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static FileDescriptor descriptorOf(String className) {
    try {
      Class<?> type = Class.forName(className, false, DumpDescriptors.class.getClassLoader());
      Method method = type.getMethod("getDescriptor");
      if (Modifier.isStatic(method.getModifiers())
          && FileDescriptor.class.equals(method.getReturnType())) {
        return (FileDescriptor) method.invoke(null);
      }
    } catch (ReflectiveOperationException | LinkageError e) {
      // not an outer class of a .proto file (a service stub, or a class needing absent deps)
    }
    return null;
  }
}
