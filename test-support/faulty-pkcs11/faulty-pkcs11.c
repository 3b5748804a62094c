/*
 * A PKCS#11 module for tests that forwards every call to a real module (SoftHSM2) and, on
 * command, misbehaves as HSMs do: it hangs (for a time, or forever), answers garbage, DER or
 * high-S ECDSA, or returns an error. It is built at test time with the system compiler
 * (test-support/faulty-pkcs11.ts).
 *
 * FAULTY_PKCS11_TARGET names the real module; FAULTY_PKCS11_CONTROL a file read at every call,
 * one rule a line (the first that applies wins):
 *
 *   <call|*> <action> [argument] [label=<key label>] [times=<n>]
 *
 *   hang <ms|forever>   the call waits, then goes on (forever: never returns)
 *   wedge               the call never returns, nor does any later call in this process
 *   crash               the process aborts (as a module that crashes takes its process with it)
 *   error <CKR code>    the call fails with that code (C_Sign ends the real operation first)
 *   garbage             C_Sign: 64 random bytes instead of the signature
 *   der                 C_Sign: the ECDSA signature DER-encoded (CKR_BUFFER_TOO_SMALL below 72 bytes)
 *   highs               C_Sign: the ECDSA signature with s replaced by n - s when s is low
 *   closeall            every session of the token is closed, then the call goes on
 *
 * label= applies the rule to C_SignInit and C_Sign with the key of that CKA_LABEL only; times=
 * to its first n matching calls in this process.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "pkcs11.h"

static CK_FUNCTION_LIST_PTR real;
static CK_FUNCTION_LIST ours;
static volatile int wedged;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

enum curve { CURVE_OTHER, CURVE_P256, CURVE_SECP256K1 };

/* what C_Sign needs to know of the key its session's C_SignInit named */
#define SESSIONS 4096
static struct {
  CK_SESSION_HANDLE session;
  char label[128];
  enum curve curve;
} signing[SESSIONS];

#define COUNTED 64
static struct {
  char rule[256];
  long used;
} counted[COUNTED];

struct rule {
  char action[16];
  char argument[64];
};

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

static void hang_forever(void) {
  for (;;) sleep(3600);
}

/* whether a rule with times=<n> has been applied n times already (else counts this use) */
static int used_up(const char *line, long times) {
  int found = -1;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < COUNTED; i++) {
    if (counted[i].rule[0] == 0) {
      if (found < 0) {
        snprintf(counted[i].rule, sizeof counted[i].rule, "%s", line);
        found = i;
      }
      break;
    }
    if (strcmp(counted[i].rule, line) == 0) {
      found = i;
      break;
    }
  }
  int spent = found < 0 || counted[found].used >= times;
  if (!spent) counted[found].used++;
  pthread_mutex_unlock(&lock);
  return spent;
}

/* the first rule of the control file for `call` (and the key `label`, when known): 1 if one applies */
static int find_rule(const char *call, const char *label, struct rule *out) {
  const char *path = getenv("FAULTY_PKCS11_CONTROL");
  if (path == NULL) return 0;
  FILE *file = fopen(path, "r");
  if (file == NULL) return 0;
  char line[256];
  int found = 0;
  while (!found && fgets(line, sizeof line, file) != NULL) {
    line[strcspn(line, "\r\n")] = 0;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", line);
    char *save = NULL;
    char *name = strtok_r(copy, " ", &save);
    char *action = strtok_r(NULL, " ", &save);
    if (name == NULL || action == NULL || name[0] == '#') continue;
    if (strcmp(name, "*") != 0 && strcmp(name, call) != 0) continue;
    struct rule rule = {{0}, {0}};
    snprintf(rule.action, sizeof rule.action, "%s", action);
    const char *wanted = NULL;
    long times = -1;
    for (char *word = strtok_r(NULL, " ", &save); word != NULL; word = strtok_r(NULL, " ", &save)) {
      if (strncmp(word, "label=", 6) == 0) wanted = word + 6;
      else if (strncmp(word, "times=", 6) == 0) times = atol(word + 6);
      else snprintf(rule.argument, sizeof rule.argument, "%s", word);
    }
    if (wanted != NULL && (label == NULL || strcmp(wanted, label) != 0)) continue;
    if (times >= 0 && used_up(line, times)) continue;
    *out = rule;
    found = 1;
  }
  fclose(file);
  return found;
}

/*
 * The faults every call shares: returns -1 with *rv set when the call must fail, 1 with *rule
 * set for a fault the call applies itself, 0 to go on as usual.
 */
static int fault(const char *call, const char *label, struct rule *rule, CK_RV *rv) {
  if (wedged) hang_forever();
  if (!find_rule(call, label, rule)) return 0;
  // killed rather than aborted: no core file left wherever the test runs
  if (strcmp(rule->action, "crash") == 0) kill(getpid(), SIGKILL);
  if (strcmp(rule->action, "wedge") == 0) {
    wedged = 1;
    hang_forever();
  }
  if (strcmp(rule->action, "hang") == 0) {
    if (strcmp(rule->argument, "forever") == 0) hang_forever();
    sleep_ms(atol(rule->argument));
    return 0;
  }
  if (strcmp(rule->action, "error") == 0) {
    *rv = (CK_RV)strtoul(rule->argument, NULL, 0);
    return -1;
  }
  return 1;
}

static int slot_index(CK_SESSION_HANDLE session) {
  return (int)(session % SESSIONS);
}

static void close_all(CK_SESSION_HANDLE session) {
  CK_SESSION_INFO info;
  if (real->C_GetSessionInfo(session, &info) == CKR_OK) real->C_CloseAllSessions(info.slotID);
}

#define SHARED(call, label)                                                    \
  struct rule rule;                                                            \
  CK_RV failed = CKR_OK;                                                       \
  int special = fault(call, label, &rule, &failed);                            \
  if (special < 0) return failed;                                              \
  if (special > 0 && strcmp(rule.action, "closeall") == 0) close_all(hSession);

#define SHARED_NO_SESSION(call)                                                \
  struct rule rule;                                                            \
  CK_RV failed = CKR_OK;                                                       \
  if (fault(call, NULL, &rule, &failed) < 0) return failed;

static CK_RV w_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
  SHARED_NO_SESSION("C_GetSlotList");
  return real->C_GetSlotList(present, list, count);
}

static CK_RV w_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  SHARED_NO_SESSION("C_GetTokenInfo");
  return real->C_GetTokenInfo(slot, info);
}

static CK_RV w_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
  SHARED_NO_SESSION("C_GetMechanismList");
  return real->C_GetMechanismList(slot, list, count);
}

static CK_RV w_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify, CK_SESSION_HANDLE_PTR out) {
  SHARED_NO_SESSION("C_OpenSession");
  return real->C_OpenSession(slot, flags, app, notify, out);
}

static CK_RV w_CloseSession(CK_SESSION_HANDLE hSession) {
  SHARED("C_CloseSession", NULL);
  return real->C_CloseSession(hSession);
}

static CK_RV w_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG length) {
  SHARED("C_Login", NULL);
  return real->C_Login(hSession, user, pin, length);
}

static CK_RV w_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR info) {
  SHARED("C_GetSessionInfo", NULL);
  return real->C_GetSessionInfo(hSession, info);
}

static CK_RV w_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR template, CK_ULONG count) {
  SHARED("C_FindObjectsInit", NULL);
  return real->C_FindObjectsInit(hSession, template, count);
}

static CK_RV w_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR found, CK_ULONG max, CK_ULONG_PTR count) {
  SHARED("C_FindObjects", NULL);
  return real->C_FindObjects(hSession, found, max, count);
}

static CK_RV w_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_PTR template, CK_ULONG count) {
  SHARED("C_GetAttributeValue", NULL);
  return real->C_GetAttributeValue(hSession, object, template, count);
}

static CK_RV w_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR mechanism, CK_ATTRIBUTE_PTR pub, CK_ULONG pubCount,
                               CK_ATTRIBUTE_PTR priv, CK_ULONG privCount, CK_OBJECT_HANDLE_PTR pubKey, CK_OBJECT_HANDLE_PTR privKey) {
  SHARED("C_GenerateKeyPair", NULL);
  return real->C_GenerateKeyPair(hSession, mechanism, pub, pubCount, priv, privCount, pubKey, privKey);
}

static enum curve curve_of(const unsigned char *params, CK_ULONG length) {
  static const unsigned char p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  static const unsigned char k1[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a};
  if (length == sizeof p256 && memcmp(params, p256, length) == 0) return CURVE_P256;
  if (length == sizeof k1 && memcmp(params, k1, length) == 0) return CURVE_SECP256K1;
  return CURVE_OTHER;
}

static CK_RV w_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key) {
  char label[128] = {0};
  unsigned char params[32] = {0};
  CK_ATTRIBUTE attributes[2] = {{CKA_LABEL, label, sizeof label - 1}, {CKA_EC_PARAMS, params, sizeof params}};
  enum curve curve = CURVE_OTHER;
  if (real->C_GetAttributeValue(hSession, key, attributes, 2) == CKR_OK) {
    label[attributes[0].ulValueLen < sizeof label ? attributes[0].ulValueLen : sizeof label - 1] = 0;
    curve = curve_of(params, attributes[1].ulValueLen);
  }
  pthread_mutex_lock(&lock);
  int i = slot_index(hSession);
  signing[i].session = hSession;
  snprintf(signing[i].label, sizeof signing[i].label, "%s", label);
  signing[i].curve = curve;
  pthread_mutex_unlock(&lock);
  SHARED("C_SignInit", label);
  return real->C_SignInit(hSession, mechanism, key);
}

static const unsigned char ORDER_P256[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
static const unsigned char ORDER_K1[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
                                           0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};

/* s := n - s when that is the larger of the two (so the signature leaves high-S) */
static void make_high_s(unsigned char *s, enum curve curve) {
  const unsigned char *n = curve == CURVE_P256 ? ORDER_P256 : ORDER_K1;
  unsigned char flipped[32];
  int borrow = 0;
  for (int i = 31; i >= 0; i--) {
    int digit = n[i] - s[i] - borrow;
    borrow = digit < 0;
    flipped[i] = (unsigned char)(digit + (borrow ? 256 : 0));
  }
  if (memcmp(flipped, s, 32) > 0) memcpy(s, flipped, 32);
}

/* one DER INTEGER of a 32-byte big-endian number */
static size_t der_integer(unsigned char *out, const unsigned char *value) {
  int start = 0;
  while (start < 31 && value[start] == 0) start++;
  int pad = value[start] & 0x80 ? 1 : 0;
  size_t length = 32 - start + pad;
  out[0] = 0x02;
  out[1] = (unsigned char)length;
  if (pad) out[2] = 0;
  memcpy(out + 2 + pad, value + start, 32 - start);
  return 2 + length;
}

static CK_RV w_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR data, CK_ULONG dataLength, CK_BYTE_PTR signature, CK_ULONG_PTR signatureLength) {
  char label[128];
  enum curve curve;
  pthread_mutex_lock(&lock);
  int i = slot_index(hSession);
  snprintf(label, sizeof label, "%s", signing[i].session == hSession ? signing[i].label : "");
  curve = signing[i].session == hSession ? signing[i].curve : CURVE_OTHER;
  pthread_mutex_unlock(&lock);
  struct rule rule;
  CK_RV failed = CKR_OK;
  int special = fault("C_Sign", label, &rule, &failed);
  if (special > 0 && strcmp(rule.action, "closeall") == 0) close_all(hSession);
  if (special == 0 || strcmp(rule.action, "closeall") == 0) return real->C_Sign(hSession, data, dataLength, signature, signatureLength);
  int der = special > 0 && strcmp(rule.action, "der") == 0;
  if (signature == NULL) {
    // a length query leaves the operation active, as a real module does
    *signatureLength = der ? 72 : 64;
    return CKR_OK;
  }
  if (der && *signatureLength < 72) {
    *signatureLength = 72;
    return CKR_BUFFER_TOO_SMALL;
  }
  // the real operation is always ended, so the session stays usable as after a real answer
  unsigned char raw[256];
  CK_ULONG rawLength = sizeof raw;
  CK_RV rv = real->C_Sign(hSession, data, dataLength, raw, &rawLength);
  if (special < 0) return failed;
  if (rv != CKR_OK) return rv;
  if (strcmp(rule.action, "garbage") == 0) {
    if (*signatureLength < 64) return CKR_BUFFER_TOO_SMALL;
    for (int j = 0; j < 64; j++) signature[j] = (unsigned char)(rand() & 0xff);
    *signatureLength = 64;
    return CKR_OK;
  }
  if (rawLength != 64 || curve == CURVE_OTHER) return CKR_FUNCTION_FAILED;
  if (strcmp(rule.action, "highs") == 0) {
    make_high_s(raw + 32, curve);
    if (*signatureLength < 64) return CKR_BUFFER_TOO_SMALL;
    memcpy(signature, raw, 64);
    *signatureLength = 64;
    return CKR_OK;
  }
  if (der) {
    unsigned char body[70];
    size_t length = der_integer(body, raw);
    length += der_integer(body + length, raw + 32);
    signature[0] = 0x30;
    signature[1] = (unsigned char)length;
    memcpy(signature + 2, body, length);
    *signatureLength = 2 + length;
    return CKR_OK;
  }
  return CKR_FUNCTION_FAILED;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  if (real == NULL) {
    const char *target = getenv("FAULTY_PKCS11_TARGET");
    if (target == NULL) return CKR_GENERAL_ERROR;
    void *library = dlopen(target, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return CKR_GENERAL_ERROR;
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(library, "C_GetFunctionList");
    if (get == NULL || get(&real) != CKR_OK) return CKR_GENERAL_ERROR;
    ours = *real;
    ours.C_GetSlotList = w_GetSlotList;
    ours.C_GetTokenInfo = w_GetTokenInfo;
    ours.C_GetMechanismList = w_GetMechanismList;
    ours.C_OpenSession = w_OpenSession;
    ours.C_CloseSession = w_CloseSession;
    ours.C_Login = w_Login;
    ours.C_GetSessionInfo = w_GetSessionInfo;
    ours.C_FindObjectsInit = w_FindObjectsInit;
    ours.C_FindObjects = w_FindObjects;
    ours.C_GetAttributeValue = w_GetAttributeValue;
    ours.C_GenerateKeyPair = w_GenerateKeyPair;
    ours.C_SignInit = w_SignInit;
    ours.C_Sign = w_Sign;
  }
  *list = &ours;
  return CKR_OK;
}
