/* paddock-host.c: canonical host names, IP literals and network patterns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The network policy compares strings, so this file is where "the same
 * destination" is decided: every spelling of one host must come out as one
 * canonical string, and whatever cannot be put into that form is refused
 * with a message instead of being guessed at.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include <libpsl.h>

#include "paddock-errors.h"
#include "paddock-host.h"

/* RFC 1035 limits, counted without the trailing dot. */
#define MAX_LABEL_LENGTH 63
#define MAX_NAME_LENGTH  253

/* How much of a refused value an error message repeats. */
#define MAX_QUOTED_CHARS 128

#define ACCEPTED_HOSTS \
  "accepted: a name such as example.com, an IPv4 address such as 10.0.0.1, " \
  "an IPv6 address such as ::1 or [::1]"
#define ACCEPTED_AUTHORITIES \
  "accepted: example.com, example.com:443, 10.0.0.1:80, [::1]:8080"
#define ACCEPTED_PATTERNS \
  "accepted: example.com, *.example.com, **.example.com, 10.0.0.0/8, [::1]:8080"

#define host_fail(error, ...) \
  paddock_fail (error, PADDOCK_HOST_ERROR, PADDOCK_HOST_ERROR_INVALID, __VA_ARGS__)

typedef struct
{
  PaddockHostKind kind;
  guint8          bytes[16];  /* network order; IPv4 uses the first four */
  gboolean        was_mapped; /* written as ::ffff:a.b.c.d */
} HostAddress;

typedef enum
{
  PATTERN_EXACT,
  PATTERN_SUBDOMAINS,
  PATTERN_SUBDOMAINS_AND_APEX,
  PATTERN_ADDRESS,
} PatternType;

struct _PaddockHostPattern
{
  char        *text;
  char        *base;    /* name patterns only */
  PatternType  type;
  HostAddress  address; /* PATTERN_ADDRESS only */
  guint        prefix;  /* PATTERN_ADDRESS only; 32 or 128 for one address */
  guint16      port;    /* 0 = any */
};

static gboolean
unichar_is_invisible (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return type == G_UNICODE_CONTROL ||
         type == G_UNICODE_FORMAT ||
         type == G_UNICODE_UNASSIGNED ||
         type == G_UNICODE_PRIVATE_USE ||
         type == G_UNICODE_SURROGATE ||
         type == G_UNICODE_SPACE_SEPARATOR ||
         type == G_UNICODE_LINE_SEPARATOR ||
         type == G_UNICODE_PARAGRAPH_SEPARATOR;
}

/* Messages repeat the refused value. Escape whatever would be invisible or
 * would split a log line, so the reader sees exactly what was refused and a
 * hostile value cannot forge a second log entry. */
static char *
quote_for_message (const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text;
  guint n_chars = 0;

  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (n_chars++ == MAX_QUOTED_CHARS)
        {
          g_string_append (out, "…");
          break;
        }

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02X", (guint) (guchar) *p);
          p++;
          continue;
        }

      if (c == '\\')
        g_string_append (out, "\\\\");
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c != ' ' && unichar_is_invisible (c))
        g_string_append_printf (out, c > 0xFFFF ? "\\U%08X" : "\\u%04X", c);
      else
        g_string_append_unichar (out, c);

      p = g_utf8_next_char (p);
    }

  return g_string_free (out, FALSE);
}

/* Wraps a reason from the parsers below into the public message:
 * "“value”: reason; accepted: …". */
static gboolean
fail_with_value (GError     **error,
                 const char  *value,
                 const char  *reason,
                 const char  *accepted)
{
  g_autofree char *quoted = quote_for_message (value);

  return host_fail (error, "“%s”: %s; %s", quoted, reason, accepted);
}

/* Refuses, before any conversion, what no spelling of a host contains.
 * CR/LF and controls would smuggle a second header or log line, '%' is
 * either a zone ID (fe80::1%eth0, which names an interface, not a host) or
 * percent-encoding, and invisible characters make two patterns that look
 * alike mean different things. */
static gboolean
check_characters (const char  *text,
                  GError     **error)
{
  if (!g_utf8_validate (text, -1, NULL))
    return host_fail (error, "not valid UTF-8");

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (c == '\r' || c == '\n')
        return host_fail (error, "a line break (CR/LF) is not allowed");
      if (g_unichar_isspace (c) ||
          type == G_UNICODE_SPACE_SEPARATOR ||
          type == G_UNICODE_LINE_SEPARATOR ||
          type == G_UNICODE_PARAGRAPH_SEPARATOR)
        return host_fail (error, "whitespace (U+%04X) is not allowed", c);
      if (type == G_UNICODE_CONTROL)
        return host_fail (error, "control character U+%04X is not allowed", c);
      if (c == '%')
        return host_fail (error,
                          "“%%” is not allowed: zone IDs (fe80::1%%eth0) and "
                          "percent-encoding are not accepted");
      if (type == G_UNICODE_FORMAT)
        return host_fail (error, "invisible formatting character U+%04X is not allowed", c);
      if (type == G_UNICODE_UNASSIGNED ||
          type == G_UNICODE_PRIVATE_USE ||
          type == G_UNICODE_SURROGATE)
        return host_fail (error, "unassigned or private-use character U+%04X is not allowed", c);
    }

  return TRUE;
}

/* RFC 5952 section 4: lower-case hex without leading zeros, the first
 * longest run of two or more zero groups as "::". glibc's inet_ntop strays
 * from it for ::/96, writing ::1:80 as ::0.1.0.128, so the form is built
 * here. Mixed notation is left out: the one prefix it would serve,
 * ::ffff:0:0/96, is turned into IPv4 before this point. */
static char *
format_ipv6 (const guint8 *bytes)
{
  GString *out = g_string_new (NULL);
  guint16 words[8];
  int best_start = -1;
  int best_len = 0;

  for (int i = 0; i < 8; i++)
    words[i] = (guint16) (bytes[2 * i] << 8 | bytes[2 * i + 1]);

  for (int i = 0; i < 8; i++)
    {
      int len = 0;

      while (i + len < 8 && words[i + len] == 0)
        len++;
      if (len >= 2 && len > best_len)
        {
          best_start = i;
          best_len = len;
        }
      i += len;
    }

  for (int i = 0; i < 8; i++)
    {
      if (i == best_start)
        {
          g_string_append (out, "::");
          i += best_len - 1;
          continue;
        }

      if (i > 0 && i != best_start + best_len)
        g_string_append_c (out, ':');
      g_string_append_printf (out, "%x", words[i]);
    }

  return g_string_free (out, FALSE);
}

static char *
format_address (const HostAddress *address)
{
  if (address->kind == PADDOCK_HOST_IPV4)
    return g_strdup_printf ("%u.%u.%u.%u",
                            address->bytes[0], address->bytes[1],
                            address->bytes[2], address->bytes[3]);

  g_assert (address->kind == PADDOCK_HOST_IPV6);

  return format_ipv6 (address->bytes);
}

static gboolean
parse_ipv6 (const char  *text,
            HostAddress *address)
{
  guint8 bytes[16];

  if (inet_pton (AF_INET6, text, bytes) != 1)
    return FALSE;

  memset (address, 0, sizeof *address);

  /* ::ffff:a.b.c.d is how an IPv6 socket reaches the IPv4 host a.b.c.d, so
   * it is that host, and must meet the IPv4 rules. */
  if (memcmp (bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
    {
      address->kind = PADDOCK_HOST_IPV4;
      address->was_mapped = TRUE;
      memcpy (address->bytes, bytes + 12, 4);
    }
  else
    {
      address->kind = PADDOCK_HOST_IPV6;
      memcpy (address->bytes, bytes, 16);
    }

  return TRUE;
}

static gboolean
unichar_is_dot (gunichar c)
{
  /* The dots IDNA treats as label separators. */
  return c == '.' || c == 0x3002 || c == 0xFF0E || c == 0xFF61;
}

/* WHATWG's "ends in a number": a last label of digits, or 0x and hex
 * digits, makes the whole host an IPv4 address or nothing. No TLD is
 * numeric, so this refuses no real name, and it stops "1.2.3.0x100" from
 * slipping through as a name. */
static gboolean
label_is_numeric (const char *label)
{
  const char *p = label;

  if (*p == '\0')
    return FALSE;

  if (p[0] == '0' && p[1] == 'x')
    {
      for (p += 2; *p != '\0'; p++)
        if (!g_ascii_isxdigit (*p))
          return FALSE;
      return TRUE;
    }

  for (; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return TRUE;
}

static gboolean
check_name_characters (const char  *name,
                       GError     **error)
{
  for (const char *p = name; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.')
        continue;

      if (g_ascii_isgraph (*p))
        return host_fail (error,
                          "character “%c” is not allowed in a host name; "
                          "labels hold letters, digits, “-” and “_”", *p);

      return host_fail (error,
                        "byte 0x%02X is not allowed in a host name; "
                        "labels hold letters, digits, “-” and “_”",
                        (guint) (guchar) *p);
    }

  return TRUE;
}

static gboolean
check_name_labels (const char  *name,
                   GError     **error)
{
  gsize name_len = strlen (name);
  const char *label = name;

  if (name_len > MAX_NAME_LENGTH)
    return host_fail (error, "the name is %" G_GSIZE_FORMAT " bytes long; at most %u are allowed",
                      name_len, MAX_NAME_LENGTH);

  while (TRUE)
    {
      const char *dot = strchr (label, '.');
      gsize len = dot != NULL ? (gsize) (dot - label) : strlen (label);
      g_autofree char *copy = g_strndup (label, len);

      if (len == 0)
        return host_fail (error, "empty label (a leading dot or two dots in a row)");
      if (len > MAX_LABEL_LENGTH)
        return host_fail (error, "label “%.16s…” is %" G_GSIZE_FORMAT " bytes long; at most %u are allowed",
                          copy, len, MAX_LABEL_LENGTH);
      if (copy[0] == '-' || copy[len - 1] == '-')
        return host_fail (error, "label “%s” starts or ends with “-”", copy);

      if (dot == NULL)
        break;
      label = dot + 1;
    }

  return TRUE;
}

/* An "xn--" label must be what the Unicode spelling encodes to; otherwise
 * the same label has two ASCII forms ("xn--abc-" decodes to "abc") or none
 * at all ("xn--zz"). */
static gboolean
check_punycode (const char  *name,
                GError     **error)
{
  g_autofree char *unicode = NULL;
  g_autofree char *back = NULL;

  if (!g_str_has_prefix (name, "xn--") && strstr (name, ".xn--") == NULL)
    return TRUE;

  unicode = g_hostname_to_unicode (name);
  if (unicode != NULL)
    back = g_hostname_to_ascii (unicode);

  if (back == NULL || strcmp (back, name) != 0)
    return host_fail (error,
                      "an “xn--” label is not valid punycode; write the name in "
                      "Unicode or as the punycode that Unicode spelling encodes to");

  return TRUE;
}

static char *
canonicalize_ipv4 (const char  *text,
                   HostAddress *address,
                   GError     **error)
{
  struct in_addr in;

  /* inet_aton is what the resolver applies to numeric hosts, so each
   * spelling it takes (127.1, 2130706433, 0x7f000001, 0177.0.0.1) reaches
   * the address it yields. Its tolerance for trailing whitespace does not
   * matter: only [a-z0-9._-] get this far. */
  if (inet_aton (text, &in) == 0)
    {
      host_fail (error,
                 "it ends in a number, so it must be an IPv4 address, but it "
                 "is not a valid one (at most four parts, each in range; a "
                 "leading 0 means octal, so 08 is invalid)");
      return NULL;
    }

  memset (address, 0, sizeof *address);
  address->kind = PADDOCK_HOST_IPV4;
  memcpy (address->bytes, &in.s_addr, 4);

  return format_address (address);
}

static char *
canonicalize_name (const char  *host,
                   HostAddress *address,
                   GError     **error)
{
  g_autofree char *trimmed = g_strdup (host);
  g_autofree char *ascii = NULL;
  const char *last_label;
  char *end;

  /* One trailing dot is the fully qualified spelling of the same name. */
  end = g_utf8_find_prev_char (trimmed, trimmed + strlen (trimmed));
  if (end != NULL && unichar_is_dot (g_utf8_get_char (end)))
    {
      *end = '\0';
      if (*trimmed == '\0')
        {
          host_fail (error, "a name needs at least one label before the dot");
          return NULL;
        }

      end = g_utf8_find_prev_char (trimmed, trimmed + strlen (trimmed));
      if (end != NULL && unichar_is_dot (g_utf8_get_char (end)))
        {
          host_fail (error, "empty label: a name ends in at most one dot");
          return NULL;
        }
    }

  if (g_str_is_ascii (trimmed))
    {
      ascii = g_ascii_strdown (trimmed, -1);
    }
  else
    {
      g_autofree char *converted = g_hostname_to_ascii (trimmed);

      if (converted == NULL)
        {
          host_fail (error, "not a valid internationalised domain name (IDNA conversion failed)");
          return NULL;
        }
      ascii = g_ascii_strdown (converted, -1);
    }

  /* Compatibility mapping may have made ASCII punctuation out of Unicode,
   * so the checks run on the converted form. */
  if (!check_name_characters (ascii, error))
    return NULL;

  last_label = strrchr (ascii, '.');
  last_label = last_label != NULL ? last_label + 1 : ascii;
  if (label_is_numeric (last_label))
    return canonicalize_ipv4 (ascii, address, error);

  if (!check_name_labels (ascii, error) ||
      !check_punycode (ascii, error))
    return NULL;

  memset (address, 0, sizeof *address);
  address->kind = PADDOCK_HOST_NAME;

  return g_steal_pointer (&ascii);
}

/* Sets @error to a reason without the value; the public functions add the
 * value and what they accept. */
static char *
canonicalize_host (const char  *host,
                   HostAddress *address,
                   GError     **error)
{
  gsize len = strlen (host);

  if (len == 0)
    {
      host_fail (error, "empty host");
      return NULL;
    }

  if (!check_characters (host, error))
    return NULL;

  if (host[0] == '[')
    {
      const char *close = strchr (host, ']');
      g_autofree char *inner = NULL;

      if (close == NULL)
        {
          host_fail (error, "“[” without a closing “]”");
          return NULL;
        }
      if (close[1] != '\0')
        {
          host_fail (error, "unexpected text after “]”; a host has no port here");
          return NULL;
        }

      inner = g_strndup (host + 1, close - host - 1);
      if (!parse_ipv6 (inner, address))
        {
          host_fail (error, "brackets may only hold an IPv6 address, such as [::1]");
          return NULL;
        }

      return format_address (address);
    }

  if (strchr (host, ']') != NULL)
    {
      host_fail (error, "“]” without an opening “[”");
      return NULL;
    }

  if (strchr (host, ':') != NULL)
    {
      if (!parse_ipv6 (host, address))
        {
          host_fail (error,
                     "not a valid IPv6 address (“:” belongs only in one, and "
                     "a host has no port here)");
          return NULL;
        }

      return format_address (address);
    }

  return canonicalize_name (host, address, error);
}

/**
 * paddock_host_canonicalize:
 * @host: a host, without a port
 * @kind: (out) (optional): what @host turned out to be
 * @error: return location for a #GError
 *
 * Puts @host into the one form the policy compares: a lower-case ASCII name
 * (IDN in punycode, no trailing dot), a dotted-quad IPv4 address (from any
 * inet_aton spelling, or from an IPv4-mapped IPv6 address), or an RFC 5952
 * IPv6 address without brackets.
 *
 * Returns: (transfer full): the canonical host, or %NULL with @error set
 */
char *
paddock_host_canonicalize (const char       *host,
                           PaddockHostKind  *kind,
                           GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *canonical = NULL;
  HostAddress address;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  canonical = canonicalize_host (host, &address, &local_error);
  if (canonical == NULL)
    {
      fail_with_value (error, host, local_error->message, ACCEPTED_HOSTS);
      return NULL;
    }

  if (kind != NULL)
    *kind = address.kind;

  return g_steal_pointer (&canonical);
}

static gboolean
parse_port (const char  *text,
            guint16     *port,
            GError     **error)
{
  guint value = 0;

  if (*text == '\0')
    return host_fail (error, "the port after “:” is empty; ports are 1–65535");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        {
          g_autofree char *quoted = quote_for_message (text);

          return host_fail (error, "port “%s” is not a number; ports are digits only, 1–65535",
                            quoted);
        }

      value = value * 10 + (guint) (*p - '0');
      if (value > G_MAXUINT16)
        {
          g_autofree char *quoted = quote_for_message (text);

          return host_fail (error, "port “%s” is out of range; ports are 1–65535", quoted);
        }
    }

  if (value == 0)
    return host_fail (error, "port 0 is not a destination; ports are 1–65535");

  *port = (guint16) value;
  return TRUE;
}

/* Splits "host", "host:port", "[v6]" and "[v6]:port". Text with two or
 * more colons and no brackets is a bare IPv6 address: whether "::1:80"
 * ends in a port cannot be told, and RFC 3986 says it does not. */
static gboolean
split_host_port (const char  *text,
                 char       **host_part,
                 guint16     *port,
                 GError     **error)
{
  const char *colon;

  *port = 0;

  if (text[0] == '[')
    {
      const char *close = strchr (text, ']');

      if (close == NULL)
        return host_fail (error, "“[” without a closing “]”");

      *host_part = g_strndup (text, close - text + 1);
      if (close[1] == '\0')
        return TRUE;
      if (close[1] != ':')
        return host_fail (error, "unexpected text after “]”; a port is written as [::1]:8080");

      return parse_port (close + 2, port, error);
    }

  colon = strchr (text, ':');
  if (colon != NULL && strchr (colon + 1, ':') == NULL)
    {
      *host_part = g_strndup (text, colon - text);
      return parse_port (colon + 1, port, error);
    }

  *host_part = g_strdup (text);
  return TRUE;
}

/**
 * paddock_host_parse_authority:
 * @authority: "host", "host:port", "[v6]" or "[v6]:port"
 * @host: (out) (optional) (transfer full): the canonical host
 * @port: (out) (optional): the port, 0 when @authority has none
 * @kind: (out) (optional): what the host is
 * @error: return location for a #GError
 *
 * Splits @authority and canonicalises the host as
 * paddock_host_canonicalize() does. A bare IPv6 address has no port.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
paddock_host_parse_authority (const char       *authority,
                              char            **host,
                              guint16          *port,
                              PaddockHostKind  *kind,
                              GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *host_part = NULL;
  g_autofree char *canonical = NULL;
  HostAddress address;
  guint16 parsed_port = 0;

  g_return_val_if_fail (authority != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_characters (authority, &local_error) ||
      !split_host_port (authority, &host_part, &parsed_port, &local_error))
    return fail_with_value (error, authority, local_error->message, ACCEPTED_AUTHORITIES);

  canonical = canonicalize_host (host_part, &address, &local_error);
  if (canonical == NULL)
    return fail_with_value (error, authority, local_error->message, ACCEPTED_AUTHORITIES);

  if (host != NULL)
    *host = g_steal_pointer (&canonical);
  if (port != NULL)
    *port = parsed_port;
  if (kind != NULL)
    *kind = address.kind;

  return TRUE;
}

/* Public suffixes as libsoup judges them: the list's explicit rules, not
 * the "*" rule that makes every unknown top-level name one. */
static gboolean
is_public_suffix (const char *domain)
{
  return psl_is_public_suffix2 (psl_builtin (), domain, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

/* Without data libpsl says FALSE, which would let "*.com" through. Check
 * once that the list knows "com" and refuse every wildcard if it does
 * not. */
static gboolean
public_suffix_list_works (void)
{
  static gsize works = 0;

  if (g_once_init_enter (&works))
    g_once_init_leave (&works, is_public_suffix ("com") ? 1 : 2);

  return works == 1;
}

static gboolean
check_wildcard_base (const char  *base,
                     GError     **error)
{
  if (!public_suffix_list_works ())
    return host_fail (error,
                      "wildcards cannot be checked because the public suffix "
                      "list is unavailable (libpsl has no data)");

  if (is_public_suffix (base))
    return host_fail (error,
                      "a wildcard must sit on a registrable domain (got public suffix “%s”)",
                      base);

  if (strchr (base, '.') == NULL)
    return host_fail (error,
                      "a wildcard must sit on a registrable domain (got single label “%s”)",
                      base);

  return TRUE;
}

static void
mask_address (HostAddress *address,
              guint        prefix)
{
  for (guint i = 0; i < G_N_ELEMENTS (address->bytes); i++)
    {
      guint bits = prefix > i * 8 ? MIN (prefix - i * 8, 8) : 0;

      address->bytes[i] &= (guint8) (0xff00 >> bits);
    }
}

static gboolean
prefix_matches (const HostAddress *address,
                const HostAddress *network,
                guint              prefix)
{
  HostAddress masked = *address;

  mask_address (&masked, prefix);
  return memcmp (masked.bytes, network->bytes, sizeof masked.bytes) == 0;
}

static gboolean
parse_prefix (const char  *text,
              guint       *prefix,
              GError     **error)
{
  gsize len = strlen (text);
  g_autofree char *quoted = NULL;

  if (len >= 1 && len <= 3 &&
      (len == 1 || text[0] != '0') &&
      g_ascii_isdigit (text[0]) &&
      (len < 2 || g_ascii_isdigit (text[1])) &&
      (len < 3 || g_ascii_isdigit (text[2])))
    {
      *prefix = (guint) g_ascii_strtoull (text, NULL, 10);
      return TRUE;
    }

  quoted = quote_for_message (text);
  return host_fail (error, "CIDR prefix “%s” is not a number such as /8", quoted);
}

static gboolean
pattern_parse_cidr (PaddockHostPattern  *pattern,
                    const char          *text,
                    GError             **error)
{
  const char *slash = strrchr (text, '/');
  g_autofree char *address_text = g_strndup (text, slash - text);
  const char *prefix_text = slash + 1;
  g_autofree char *canonical = NULL;
  guint prefix = 0;
  guint max_prefix;

  if (strstr (text, "://") != NULL)
    return host_fail (error, "a pattern is a host, not a URL; drop the scheme and the path");
  if (strchr (address_text, '/') != NULL)
    return host_fail (error, "more than one “/”");
  if (strchr (prefix_text, ':') != NULL)
    return host_fail (error, "a CIDR range takes no port");

  canonical = canonicalize_host (address_text, &pattern->address, error);
  if (canonical == NULL)
    return FALSE;

  if (pattern->address.kind == PADDOCK_HOST_NAME)
    return host_fail (error,
                      "“/” may only follow an IP address, as in 10.0.0.0/8 or "
                      "fd00::/8; patterns hold no URL paths");

  if (!parse_prefix (prefix_text, &prefix, error))
    return FALSE;

  /* ::ffff:10.0.0.0/104 is the IPv4 range 10.0.0.0/8. */
  if (pattern->address.was_mapped)
    {
      if (prefix < 96 || prefix > 128)
        return host_fail (error,
                          "an IPv4-mapped range needs a prefix of /96 to /128; "
                          "write the IPv4 range instead");
      prefix -= 96;
    }

  max_prefix = pattern->address.kind == PADDOCK_HOST_IPV4 ? 32 : 128;
  if (prefix > max_prefix)
    return host_fail (error, "prefix /%u is out of range for an %s address (/0 to /%u)",
                      prefix,
                      pattern->address.kind == PADDOCK_HOST_IPV4 ? "IPv4" : "IPv6",
                      max_prefix);

  /* "10.0.0.1/8" is most likely a typo for one of two different rules;
   * say which range it would be rather than pick. */
  if (!prefix_matches (&pattern->address, &pattern->address, prefix))
    {
      HostAddress network = pattern->address;
      g_autofree char *network_text = NULL;

      mask_address (&network, prefix);
      network_text = format_address (&network);
      return host_fail (error, "host bits are set beyond /%u; the range is written %s/%u",
                        prefix, network_text, prefix);
    }

  pattern->type = PATTERN_ADDRESS;
  pattern->prefix = prefix;
  pattern->text = g_strdup_printf ("%s/%u", canonical, prefix);

  return TRUE;
}

static char *
format_with_port (const char      *host,
                  PaddockHostKind  kind,
                  guint16          port)
{
  if (port == 0)
    return g_strdup (host);
  if (kind == PADDOCK_HOST_IPV6)
    return g_strdup_printf ("[%s]:%u", host, port);
  return g_strdup_printf ("%s:%u", host, port);
}

static gboolean
pattern_parse (PaddockHostPattern  *pattern,
               const char          *text,
               GError             **error)
{
  g_autofree char *host_part = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *with_wildcard = NULL;
  const char *base_text;
  const char *wildcard;

  if (*text == '\0')
    return host_fail (error, "empty pattern");

  if (!check_characters (text, error))
    return FALSE;

  if (strchr (text, '/') != NULL)
    return pattern_parse_cidr (pattern, text, error);

  if (!split_host_port (text, &host_part, &pattern->port, error))
    return FALSE;

  if (g_str_has_prefix (host_part, "**."))
    {
      pattern->type = PATTERN_SUBDOMAINS_AND_APEX;
      wildcard = "**.";
      base_text = host_part + 3;
    }
  else if (g_str_has_prefix (host_part, "*."))
    {
      pattern->type = PATTERN_SUBDOMAINS;
      wildcard = "*.";
      base_text = host_part + 2;
    }
  else
    {
      pattern->type = PATTERN_EXACT;
      wildcard = "";
      base_text = host_part;
    }

  if (strcmp (host_part, "*") == 0 || strcmp (host_part, "**") == 0)
    return host_fail (error, "a bare “%s” would match every host; name the domain, as in *.example.com",
                      host_part);
  if (strchr (base_text, '*') != NULL)
    return host_fail (error, "a wildcard is only accepted as a leading “*.” or “**.”");

  canonical = canonicalize_host (base_text, &pattern->address, error);
  if (canonical == NULL)
    return FALSE;

  if (pattern->address.kind != PADDOCK_HOST_NAME)
    {
      if (pattern->type != PATTERN_EXACT)
        return host_fail (error,
                          "a wildcard applies to names, not IP addresses; "
                          "write a CIDR range such as 10.0.0.0/8");

      pattern->type = PATTERN_ADDRESS;
      pattern->prefix = pattern->address.kind == PADDOCK_HOST_IPV4 ? 32 : 128;
      pattern->text = format_with_port (canonical, pattern->address.kind, pattern->port);
      return TRUE;
    }

  if (pattern->type != PATTERN_EXACT && !check_wildcard_base (canonical, error))
    return FALSE;

  with_wildcard = g_strconcat (wildcard, canonical, NULL);
  pattern->text = format_with_port (with_wildcard, PADDOCK_HOST_NAME, pattern->port);
  pattern->base = g_steal_pointer (&canonical);

  return TRUE;
}

/**
 * paddock_host_pattern_new:
 * @text: a network pattern
 * @error: return location for a #GError
 *
 * Parses "example.com" (exact), "*.example.com" (subdomains at any depth),
 * "**.example.com" (subdomains and the apex), each with an optional ":port";
 * IP literals in any spelling with an optional port ("[v6]:port" for IPv6);
 * and CIDR ranges ("10.0.0.0/8", "fd00::/8", no port). A wildcard must sit
 * on a registrable domain: "*.com" and "**.co.uk" are refused.
 *
 * Returns: (transfer full): the pattern, or %NULL with @error set
 */
PaddockHostPattern *
paddock_host_pattern_new (const char  *text,
                          GError     **error)
{
  g_autoptr(PaddockHostPattern) pattern = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  pattern = g_new0 (PaddockHostPattern, 1);
  if (!pattern_parse (pattern, text, &local_error))
    {
      fail_with_value (error, text, local_error->message, ACCEPTED_PATTERNS);
      return NULL;
    }

  return g_steal_pointer (&pattern);
}

void
paddock_host_pattern_free (PaddockHostPattern *pattern)
{
  if (pattern == NULL)
    return;

  g_free (pattern->text);
  g_free (pattern->base);
  g_free (pattern);
}

/**
 * paddock_host_pattern_get_text:
 * @pattern: a #PaddockHostPattern
 *
 * Returns: the canonical text, such as "*.xn--bcher-kva.example:443",
 *   "127.0.0.1", "[::1]:8080" or "10.0.0.0/8"
 */
const char *
paddock_host_pattern_get_text (const PaddockHostPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, NULL);

  return pattern->text;
}

/**
 * paddock_host_pattern_get_port:
 * @pattern: a #PaddockHostPattern
 *
 * Returns: the port the pattern requires, or 0 for any port
 */
guint16
paddock_host_pattern_get_port (const PaddockHostPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, 0);

  return pattern->port;
}

/**
 * paddock_host_pattern_is_ip:
 * @pattern: a #PaddockHostPattern
 *
 * Returns: %TRUE for an IP literal or CIDR range
 */
gboolean
paddock_host_pattern_is_ip (const PaddockHostPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, FALSE);

  return pattern->type == PATTERN_ADDRESS;
}

/**
 * paddock_host_pattern_get_base:
 * @pattern: a #PaddockHostPattern
 *
 * Returns: (nullable): the canonical name without its wildcard, for
 *   indexing ("example.com" for "*.example.com"); %NULL for IP patterns
 */
const char *
paddock_host_pattern_get_base (const PaddockHostPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, NULL);

  return pattern->base;
}

static gboolean
is_subdomain_of (const char *host,
                 const char *base)
{
  gsize host_len = strlen (host);
  gsize base_len = strlen (base);

  /* The dot before the base is what keeps "evil-example.com" out of
   * "*.example.com". */
  return host_len > base_len + 1 &&
         host[host_len - base_len - 1] == '.' &&
         strcmp (host + host_len - base_len, base) == 0;
}

static gboolean
parse_address_literal (const char      *host,
                       PaddockHostKind  kind,
                       HostAddress     *address)
{
  if (kind == PADDOCK_HOST_IPV4)
    {
      memset (address, 0, sizeof *address);
      address->kind = PADDOCK_HOST_IPV4;
      return inet_pton (AF_INET, host, address->bytes) == 1;
    }

  /* A mapped address handed in as IPv6 still meets the IPv4 ranges. */
  return kind == PADDOCK_HOST_IPV6 && parse_ipv6 (host, address);
}

/**
 * paddock_host_pattern_match:
 * @pattern: a #PaddockHostPattern
 * @host: a canonical host, from paddock_host_canonicalize()
 * @kind: the kind paddock_host_canonicalize() gave for @host
 * @port: the destination port, or 0 when it is not known
 * @strict_port: whether a pattern with a port refuses an unknown port
 *
 * Names meet only name patterns, IP literals only IP and CIDR patterns.
 * Allow rules pass @strict_port = %TRUE so "example.com:443" does not allow
 * an unknown port; deny and prompt rules pass %FALSE and assume the worst.
 *
 * Returns: %TRUE when @host and @port fall under @pattern
 */
gboolean
paddock_host_pattern_match (const PaddockHostPattern *pattern,
                            const char               *host,
                            PaddockHostKind           kind,
                            guint16                   port,
                            gboolean                  strict_port)
{
  HostAddress address;

  g_return_val_if_fail (pattern != NULL, FALSE);
  g_return_val_if_fail (host != NULL, FALSE);

  if (pattern->port != 0 && port != pattern->port && !(port == 0 && !strict_port))
    return FALSE;

  switch (pattern->type)
    {
    case PATTERN_EXACT:
      return kind == PADDOCK_HOST_NAME && strcmp (host, pattern->base) == 0;

    case PATTERN_SUBDOMAINS:
      return kind == PADDOCK_HOST_NAME && is_subdomain_of (host, pattern->base);

    case PATTERN_SUBDOMAINS_AND_APEX:
      return kind == PADDOCK_HOST_NAME &&
             (strcmp (host, pattern->base) == 0 || is_subdomain_of (host, pattern->base));

    case PATTERN_ADDRESS:
      if (kind == PADDOCK_HOST_NAME)
        return FALSE;

      if (!parse_address_literal (host, kind, &address))
        {
          g_critical ("%s: “%s” is not a canonical IP literal", G_STRFUNC, host);
          return FALSE;
        }

      return address.kind == pattern->address.kind &&
             prefix_matches (&address, &pattern->address, pattern->prefix);

    default:
      g_assert_not_reached ();
    }

  return FALSE;
}
