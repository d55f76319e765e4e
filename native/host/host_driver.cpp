// Host test driver for native/kernels: runs a script of buffer uploads, kernel launches and read-backs on the CPU
// through the emulation in cuda_host.h. Built and driven by the Java tests (HostKernels.java), which generate
// host_kernels.inc: #includes of every kernel family plus CONVKIT_HOST_KERNELS(X), one X(symbol, "signature") per
// DeviceFunction. Build: g++ -std=c++17 -O2 -pthread -include cuda_host.h -I native/kernels -I <dir of the .inc>.
//
// Script (stdin, little-endian), after the magic "CKH1", a sequence of records:
//   'B' i32 id, i64 bytes, data      define buffer `id` (replacing an earlier one)
//   'K' str symbol, str label, i32 grid x y z, i32 block x y z, i32 order, i64 seed, i32 argc, argc x (u8 kind,
//       i64 value)                   launch; kind is the signature letter, a P value is a buffer id (-1: null)
//   'R' i32 id                        write buffer `id` to stdout as i32 id, i64 bytes, data
//   'F'                               free every buffer
//   'E'                               end: stdout gets "DONE", i64 launches, i64 launches run with fibers
// (str = i32 length + UTF-8 bytes.)
//
// Memory checks: every buffer lies on its own pages between two inaccessible guard pages, alternately flush with its
// end and with its start, so an access just past either end faults; the SIGSEGV handler names the launch, the
// thread and the buffer. The slack bytes on the other side hold a pattern that is checked after every launch, so a
// stray write there is caught too. Any failure ends the process with a message on stderr and exit status 2 or 3.
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "host_kernels.inc"

namespace {

constexpr unsigned char kPattern = 0xA5;
constexpr int kMaxArgs = 32;

std::string launch_context = "before the first launch";
long long launches = 0, fiber_launches = 0;

struct Buffer {
    unsigned char* region = nullptr;  // guard page, data pages, guard page
    std::size_t region_bytes = 0;
    unsigned char* data = nullptr;
    std::size_t bytes = 0;
    unsigned char* slack = nullptr;  // the part of the data pages outside [data, data + bytes)
    std::size_t slack_bytes = 0;
    bool end_aligned = false;
};

std::map<int, Buffer> buffers;
std::vector<std::pair<unsigned char*, unsigned char*>> stack_guards;
std::size_t page_size() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

}  // namespace

namespace cuda_host {

void fail(const char* format, ...) {
    std::fprintf(stderr, "host kernels: %s: ", launch_context.c_str());
    va_list args;
    va_start(args, format);
    std::vfprintf(stderr, format, args);
    va_end(args);
    std::fputc('\n', stderr);
    std::fflush(stderr);
    _exit(2);
}

void* allocate_stack(std::size_t bytes) {
    const std::size_t page = page_size();
    void* p = mmap(nullptr, bytes + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) fail("cannot map a fiber stack of %zu bytes", bytes);
    unsigned char* base = static_cast<unsigned char*>(p);
    mprotect(base, page, PROT_NONE);  // stacks grow down into this page
    stack_guards.emplace_back(base, base + page);
    return base + page;
}

}  // namespace cuda_host

namespace {

// ---- kernel table --------------------------------------------------------------------------------------------------

template <typename T>
constexpr char letter() {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_pointer_v<U>) return 'P';
    else if constexpr (std::is_same_v<U, long long>) return 'L';
    else if constexpr (std::is_same_v<U, unsigned long long>) return 'U';
    else if constexpr (std::is_same_v<U, int>) return 'I';
    else if constexpr (std::is_same_v<U, float>) return 'F';
    else static_assert(!sizeof(U), "kernel parameter type without a signature letter");
}

template <typename T>
T from_slot(std::uint64_t slot) {
    if constexpr (std::is_pointer_v<T>) {
        return reinterpret_cast<T>(static_cast<std::uintptr_t>(slot));
    } else {
        T v;
        std::memcpy(&v, &slot, sizeof(T));  // little-endian: the value's bytes are the slot's low bytes
        return v;
    }
}

template <typename... A, std::size_t... I>
void call(void (*kernel)(A...), const std::uint64_t* slots, std::index_sequence<I...>) {
    kernel(from_slot<A>(slots[I])...);
}

template <typename... A>
void call(void (*kernel)(A...), const std::uint64_t* slots) {
    static_assert(sizeof...(A) <= kMaxArgs, "too many kernel parameters");
    call(kernel, slots, std::index_sequence_for<A...>{});
}

template <typename... A>
std::string signature_of(void (*)(A...)) { return std::string{letter<A>()...}; }

struct Kernel {
    const char* symbol;
    const char* java_signature;
    std::string c_signature;
    void (*invoke)(const std::uint64_t* slots);
    bool needs_fibers = false;
};

#define CONVKIT_HOST_ENTRY(symbol, java_signature) \
    Kernel{#symbol, java_signature, signature_of(&symbol), [](const std::uint64_t* s) { call(&symbol, s); }},

std::vector<Kernel> kernels = {CONVKIT_HOST_KERNELS(CONVKIT_HOST_ENTRY)};

// ---- buffers -------------------------------------------------------------------------------------------------------

void free_buffer(Buffer& b) { munmap(b.region, b.region_bytes); }

Buffer allocate(std::size_t bytes, bool end_aligned) {
    const std::size_t page = page_size(), pages = (bytes + page - 1) / page;
    Buffer b;
    b.region_bytes = (pages + 2) * page;
    void* p = mmap(nullptr, b.region_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) cuda_host::fail("cannot map a buffer of %zu bytes", bytes);
    b.region = static_cast<unsigned char*>(p);
    mprotect(b.region, page, PROT_NONE);
    mprotect(b.region + (pages + 1) * page, page, PROT_NONE);
    unsigned char* first = b.region + page;
    b.bytes = bytes;
    b.end_aligned = end_aligned;
    b.slack_bytes = pages * page - bytes;
    b.data = end_aligned ? first + b.slack_bytes : first;
    b.slack = end_aligned ? first : first + bytes;
    std::memset(b.slack, kPattern, b.slack_bytes);
    return b;
}

void check_slack(int id, const Buffer& b) {
    for (std::size_t i = 0; i < b.slack_bytes; i++) {
        if (b.slack[i] == kPattern) continue;
        const long long offset = b.end_aligned ? -static_cast<long long>(b.slack_bytes - i)
                                               : static_cast<long long>(b.bytes + i);
        cuda_host::fail("the kernel wrote outside buffer #%d (%zu bytes): byte offset %lld", id, b.bytes, offset);
    }
}

void on_segfault(int, siginfo_t* info, void*) {
    static char message[512];
    const unsigned char* at = static_cast<const unsigned char*>(info->si_addr);
    const std::size_t page = page_size();
    int n = std::snprintf(message, sizeof message, "host kernels: %s: invalid memory access at %p",
                          launch_context.c_str(), info->si_addr);
    for (const auto& [id, b] : buffers) {
        if (at >= b.region && at < b.region + page) {
            n += std::snprintf(message + n, sizeof message - n,
                               ", %lld bytes before the start of buffer #%d (%zu bytes)",
                               static_cast<long long>(b.data - at), id, b.bytes);
        } else if (at >= b.region + b.region_bytes - page && at < b.region + b.region_bytes) {
            n += std::snprintf(message + n, sizeof message - n, ", byte %lld of buffer #%d (%zu bytes)",
                               static_cast<long long>(at - b.data), id, b.bytes);
        }
    }
    for (const auto& [lo, hi] : stack_guards) {
        if (at >= lo && at < hi) n += std::snprintf(message + n, sizeof message - n, " (fiber stack overflow)");
    }
    if (cuda_host::current != nullptr) {
        const uint3 t = cuda_host::current->idx, bl = cuda_host::block_idx;
        n += std::snprintf(message + n, sizeof message - n, " by thread (%u, %u, %u) of block (%u, %u, %u)", t.x, t.y,
                           t.z, bl.x, bl.y, bl.z);
    }
    message[n < static_cast<int>(sizeof message) - 1 ? n : sizeof message - 2] = '\n';
    ssize_t ignored = write(2, message, static_cast<std::size_t>(n) + 1);
    (void)ignored;
    _exit(3);
}

void install_segfault_handler() {
    static std::vector<unsigned char> alternate(1 << 16);
    stack_t ss{};
    ss.ss_sp = alternate.data();
    ss.ss_size = alternate.size();
    sigaltstack(&ss, nullptr);
    struct sigaction sa{};
    sa.sa_sigaction = on_segfault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, nullptr);
    sigaction(SIGBUS, &sa, nullptr);
}

// ---- script I/O ----------------------------------------------------------------------------------------------------

void read_exact(void* dst, std::size_t bytes) {
    if (std::fread(dst, 1, bytes, stdin) != bytes) cuda_host::fail("the script ends in the middle of a record");
}

template <typename T>
T read_value() {
    T v;
    read_exact(&v, sizeof v);
    return v;
}

std::string read_string() {
    const int length = read_value<std::int32_t>();
    if (length < 0 || length > (1 << 20)) cuda_host::fail("bad string length %d in the script", length);
    std::string s(static_cast<std::size_t>(length), '\0');
    read_exact(s.data(), s.size());
    return s;
}

void write_exact(const void* src, std::size_t bytes) {
    if (std::fwrite(src, 1, bytes, stdout) != bytes) cuda_host::fail("cannot write the results");
}

struct LaunchBody {
    const Kernel* kernel;
    std::uint64_t slots[kMaxArgs];
};

void run_launch() {
    const std::string symbol = read_string(), label = read_string();
    std::int32_t g[3], bl[3];
    for (auto& v : g) v = read_value<std::int32_t>();
    for (auto& v : bl) v = read_value<std::int32_t>();
    const auto order = static_cast<cuda_host::Order>(read_value<std::int32_t>());
    const auto seed = read_value<std::uint64_t>();
    const int argc = read_value<std::int32_t>();
    launches++;
    launch_context = "launch #" + std::to_string(launches) + " " + symbol + " [" + label + "]";

    Kernel* kernel = nullptr;
    for (Kernel& k : kernels)
        if (symbol == k.symbol) kernel = &k;
    if (kernel == nullptr) cuda_host::fail("no kernel named %s in this host build", symbol.c_str());
    if (kernel->c_signature != kernel->java_signature) {
        cuda_host::fail("the C parameters of %s are %s, DeviceFunction says %s", kernel->symbol,
                        kernel->c_signature.c_str(), kernel->java_signature);
    }
    if (argc != static_cast<int>(kernel->c_signature.size())) {
        cuda_host::fail("%d arguments for the %zu parameters %s", argc, kernel->c_signature.size(),
                        kernel->c_signature.c_str());
    }
    LaunchBody body{kernel, {}};
    std::set<int> used;
    for (int i = 0; i < argc; i++) {
        const char kind = static_cast<char>(read_value<std::uint8_t>());
        const auto value = read_value<std::uint64_t>();
        if (kind != kernel->c_signature[i]) {
            cuda_host::fail("argument %d is of kind %c, parameter %d of %s is %c", i, kind, i, kernel->symbol,
                            kernel->c_signature[i]);
        }
        if (kind != 'P') {
            body.slots[i] = value;
        } else if (static_cast<std::int64_t>(value) == -1) {
            body.slots[i] = 0;
        } else {
            auto found = buffers.find(static_cast<int>(value));
            if (found == buffers.end()) cuda_host::fail("argument %d names buffer #%lld, which does not exist", i,
                                                        static_cast<long long>(value));
            body.slots[i] = reinterpret_cast<std::uintptr_t>(found->second.data);
            used.insert(found->first);
        }
    }
    const dim3 grid(g[0], g[1], g[2]), block(bl[0], bl[1], bl[2]);
    if (g[0] <= 0 || g[1] <= 0 || g[2] <= 0 || bl[0] <= 0 || bl[1] <= 0 || bl[2] <= 0) {
        cuda_host::fail("invalid launch geometry grid (%d, %d, %d) block (%d, %d, %d)", g[0], g[1], g[2], bl[0], bl[1],
                        bl[2]);
    }
    cuda_host::check_geometry(grid, block);
    const cuda_host::Body run{[](void* c) {
                                  auto* b = static_cast<LaunchBody*>(c);
                                  b->kernel->invoke(b->slots);
                              },
                              &body};
    if (!kernel->needs_fibers) {
        std::map<int, std::vector<unsigned char>> before;  // restored if the kernel turns out to synchronise
        for (int id : used) {
            const Buffer& b = buffers[id];
            before[id].assign(b.data, b.data + b.bytes);
        }
        try {
            cuda_host::run_sequential(grid, block, run);
        } catch (const cuda_host::NeedsFibers&) {
            kernel->needs_fibers = true;
            for (auto& [id, bytes] : before) std::memcpy(buffers[id].data, bytes.data(), bytes.size());
        }
    }
    if (kernel->needs_fibers) {
        fiber_launches++;
        cuda_host::run_fibers(grid, block, run, order, seed);
    }
    for (int id : used) check_slack(id, buffers[id]);
    launch_context = "after launch #" + std::to_string(launches) + " " + symbol + " [" + label + "]";
}

}  // namespace

int main() {
    install_segfault_handler();
    char magic[4];
    read_exact(magic, 4);
    if (std::memcmp(magic, "CKH1", 4) != 0) cuda_host::fail("the script does not start with CKH1");
    int next_alignment = 0;
    for (;;) {
        const char tag = static_cast<char>(read_value<std::uint8_t>());
        if (tag == 'B') {
            const int id = read_value<std::int32_t>();
            const auto bytes = read_value<std::int64_t>();
            if (bytes < 0) cuda_host::fail("buffer #%d has a negative size", id);
            auto old = buffers.find(id);
            if (old != buffers.end()) {
                free_buffer(old->second);
                buffers.erase(old);
            }
            Buffer b = allocate(static_cast<std::size_t>(bytes), (next_alignment++ & 1) == 0);
            read_exact(b.data, b.bytes);
            buffers[id] = b;
        } else if (tag == 'K') {
            run_launch();
        } else if (tag == 'R') {
            const int id = read_value<std::int32_t>();
            auto found = buffers.find(id);
            if (found == buffers.end()) cuda_host::fail("read-back of buffer #%d, which does not exist", id);
            const std::int64_t bytes = static_cast<std::int64_t>(found->second.bytes);
            write_exact(&id, sizeof id);
            write_exact(&bytes, sizeof bytes);
            write_exact(found->second.data, found->second.bytes);
        } else if (tag == 'F') {
            for (auto& [id, b] : buffers) free_buffer(b);
            buffers.clear();
        } else if (tag == 'E') {
            write_exact("DONE", 4);
            write_exact(&launches, sizeof launches);
            write_exact(&fiber_launches, sizeof fiber_launches);
            std::fflush(stdout);
            return 0;
        } else {
            cuda_host::fail("unknown record tag 0x%02x in the script", static_cast<unsigned>(tag) & 0xFF);
        }
    }
}
