package dev.keel.api;

/** Topic names: 1 to 128 characters from {@code A-Z a-z 0-9 _ . : / -}. */
public final class TopicNames {
  public static final int MAX_LENGTH = 128;

  private TopicNames() {}

  public static boolean isValid(String name) {
    int n = name.length();
    if (n < 1 || n > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
