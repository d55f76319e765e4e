// CPU emulation of the CUDA features native/kernels uses, so that the kernel sources compile unchanged with a C++17
// host compiler (force-included: g++ -std=c++17 -include cuda_host.h -x c++ ...) and run in the host kernel tests
// (src/test/java/dev/convkit/backend/cuda/HostKernels*.java, driver in host_driver.cpp).
//
// Execution model. A launch runs its blocks one after another on the calling thread. Inside a block every CUDA
// thread is a cooperative fiber with its own stack: a fiber runs until it reaches __syncthreads() or a
// warp shuffle, or returns. When every fiber waits, the scheduler releases what can proceed: a warp whose lanes in
// the shuffle mask all wait at the same shuffle (each lane receives its source lane's value), otherwise the block
// barrier once every thread waits at the same __syncthreads(). Anything else (a lane of the mask that exited, threads
// waiting at different barriers, a thread that exited while others wait at __syncthreads) is undefined behaviour on a
// GPU and stops the run with a message. The launch chooses the interleaving: forward runs the fibers in lock step,
// each to its next wait, in thread order; reverse and shuffled run them in that order, and a warp whose shuffle
// completes runs on at once, ahead of the other warps, until it reaches a barrier. A missing __syncthreads (a warp
// overwriting shared memory another warp has yet to read) then shows up as a difference between the orders.
//
// Kernels that never synchronise run without fibers: a launch first runs its threads as plain nested loops, and the
// first barrier or shuffle throws NeedsFibers; the driver then restores the launch's buffers and reruns it in fiber
// mode (and remembers that this kernel needs it).
//
// Emulated: threadIdx / blockIdx / blockDim / gridDim (uint3 / dim3), __global__ / __device__ / __forceinline__,
// static __shared__ arrays (one copy; blocks run one at a time), __syncthreads, __shfl_xor_sync (full width 32),
// integer min / max. The math functions the kernels call (expf, sqrtf, fmaxf, pow, ...) are the <cmath> ones.
// Not emulated, because no kernel uses them: dynamic (extern) shared memory, atomics, other shuffles.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#if defined(__x86_64__) && !defined(CUDA_HOST_USE_UCONTEXT)
// x86-64 System V fiber switch: saves the callee-saved registers, MXCSR and the x87 control word on the old stack,
// stores the old stack pointer, and restores the same from the new stack. ucontext's swapcontext does the same plus
// a sigprocmask system call per switch, which made the block-synchronising kernels ~20x slower. This header is
// included by one translation unit (host_driver.cpp), so the symbol is defined once.
#define CUDA_HOST_FAST_SWITCH 1
extern "C" void cuda_host_switch(void** save_sp, void* load_sp);
asm(R"(
    .text
    .globl cuda_host_switch
    .type cuda_host_switch, @function
cuda_host_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size cuda_host_switch, .-cuda_host_switch
)");
#else
#include <ucontext.h>
#endif

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static

struct uint3 {
    unsigned int x, y, z;
};

struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
};

// CUDA's integer min / max device functions (pool.cu calls them unqualified).
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }

namespace cuda_host {

/** Fiber order between two release points. */
enum class Order : int { kForward = 0, kReverse = 1, kShuffled = 2 };

/** Thrown by a barrier or shuffle reached outside fiber mode; the driver reruns the launch with fibers. */
struct NeedsFibers {};

enum class State { kReady, kBarrier, kShuffle, kDone };

/** A suspended fiber: its saved stack pointer, or a ucontext where there is no fast switch. */
struct FiberContext {
#ifdef CUDA_HOST_FAST_SWITCH
    void* sp = nullptr;
#else
    ucontext_t uc;
#endif
};

/** One CUDA thread of the running block. */
struct Thread {
    uint3 idx;
    int linear = 0;  // x + y * bx + z * bx * by; warp = linear / 32, lane = linear % 32
    State state = State::kReady;
    const char* file = "";  // source file and line of the barrier or shuffle it waits at
    int site = 0;
    unsigned mask = 0;
    int source_lane = 0;
    int value_size = 0;
    unsigned char value[8] = {};
    unsigned char result[8] = {};
    FiberContext context;
    void* stack = nullptr;
};

/** Reports a violation of CUDA's rules (or of the emulation's limits) and ends the process; defined by the driver. */
[[noreturn]] void fail(const char* format, ...) __attribute__((format(printf, 1, 2)));

inline dim3 grid_dim, block_dim;
inline uint3 block_idx;
inline Thread* current = nullptr;
inline bool fiber_mode = false;

}  // namespace cuda_host

#define threadIdx (::cuda_host::current->idx)
#define blockIdx (::cuda_host::block_idx)
#define blockDim (::cuda_host::block_dim)
#define gridDim (::cuda_host::grid_dim)

namespace cuda_host {

inline FiberContext scheduler_context;

/** Suspends `from` and resumes `to`; out of line, so that no caller's locals live across a ucontext call. */
__attribute__((noinline)) inline void switch_context(FiberContext& from, FiberContext& to) {
#ifdef CUDA_HOST_FAST_SWITCH
    cuda_host_switch(&from.sp, to.sp);
#else
    swapcontext(&from.uc, &to.uc);
#endif
}

/** Yields the running fiber back to the scheduler in state s at source line `site`. */
__attribute__((noinline)) inline void wait_at(State s, const char* file, int site) {
    if (!fiber_mode) throw NeedsFibers{};
    current->state = s;
    current->file = file;
    current->site = site;
    switch_context(current->context, scheduler_context);
}

inline void syncthreads(const char* file, int site) { wait_at(State::kBarrier, file, site); }

/** The file name without its directories, for messages. */
inline const char* base_name(const char* path) {
    const char* slash = std::strrchr(path, '/');
    return slash == nullptr ? path : slash + 1;
}

template <typename T>
T shfl_xor_sync(const char* file, int site, unsigned mask, T value, int lane_mask) {
    static_assert(std::is_trivially_copyable<T>::value && sizeof(T) <= 8, "shuffles move values of at most 8 bytes");
    if (lane_mask < 0 || lane_mask > 31) {
        fail("__shfl_xor_sync at %s:%d: lane mask %d outside [0, 31]", base_name(file), site, lane_mask);
    }
    if (!fiber_mode) throw NeedsFibers{};
    Thread* t = current;
    const int lane = t->linear & 31;
    if ((mask >> lane & 1u) == 0) {
        fail("__shfl_xor_sync at %s:%d: lane %d calls it with mask 0x%08x, which excludes it", base_name(file), site,
             lane, mask);
    }
    t->mask = mask;
    t->source_lane = lane ^ lane_mask;
    t->value_size = static_cast<int>(sizeof(T));
    std::memcpy(t->value, &value, sizeof(T));
    wait_at(State::kShuffle, file, site);
    T out;
    std::memcpy(&out, current->result, sizeof(T));
    return out;
}

/** The work of one launch: body(context) runs one CUDA thread (the driver's kernel call with its arguments). */
struct Body {
    void (*run)(void*);
    void* context;
};

/** Fiber stacks, kept for the life of the process (a block has at most 1024 threads). */
void* allocate_stack(std::size_t bytes);  // defined by the driver (guard page below the stack)
constexpr std::size_t kStackBytes = 64 * 1024;

inline Body active_body;

inline void fiber_entry() {
    active_body.run(active_body.context);
    current->state = State::kDone;
#ifdef CUDA_HOST_FAST_SWITCH
    cuda_host_switch(&current->context.sp, scheduler_context.sp);  // never resumed
    __builtin_unreachable();
#endif
    // with ucontext, returning resumes uc_link: the scheduler
}

/** Prepares t to start fiber_entry on its stack; resuming it returns to the scheduler when the thread exits. */
__attribute__((noinline)) inline void prepare_fiber(Thread& t) {
#ifdef CUDA_HOST_FAST_SWITCH
    // The frame cuda_host_switch pops: MXCSR / x87 control word, six registers, then fiber_entry as return address.
    const std::uintptr_t top = (reinterpret_cast<std::uintptr_t>(t.stack) + kStackBytes) & ~std::uintptr_t{15};
    void** sp = reinterpret_cast<void**>(top);
    *--sp = nullptr;  // alignment: rsp = 8 (mod 16) on entry to fiber_entry, as after a call
    *--sp = reinterpret_cast<void*>(&fiber_entry);
    for (int r = 0; r < 6; r++) *--sp = nullptr;
    *--sp = reinterpret_cast<void*>(std::uintptr_t{0x1F80} | std::uintptr_t{0x037F} << 32);  // the default modes
    t.context.sp = sp;
#else
    getcontext(&t.context.uc);
    t.context.uc.uc_stack.ss_sp = t.stack;
    t.context.uc.uc_stack.ss_size = kStackBytes;
    t.context.uc.uc_link = &scheduler_context.uc;
    makecontext(&t.context.uc, fiber_entry, 0);
#endif
}

/** Runs t until it waits or exits. */
__attribute__((noinline)) inline void resume(Thread& t) {
    current = &t;
    switch_context(scheduler_context, t.context);
}

/** Checks the launch geometry against CUDA's limits, as cuLaunchKernel would. */
inline void check_geometry(dim3 grid, dim3 block) {
    const unsigned long long threads = 1ull * block.x * block.y * block.z;
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > 65535 || grid.z > 65535 || grid.x > 2147483647u) {
        fail("invalid grid (%u, %u, %u): each dimension must be >= 1, y and z <= 65535", grid.x, grid.y, grid.z);
    }
    if (threads == 0 || threads > 1024 || block.z > 64) {
        fail("invalid block (%u, %u, %u): 1 to 1024 threads with z <= 64", block.x, block.y, block.z);
    }
}

/** Plain loops over every block and thread; throws NeedsFibers at the first barrier or shuffle. */
inline void run_sequential(dim3 grid, dim3 block, Body body) {
    grid_dim = grid;
    block_dim = block;
    fiber_mode = false;
    Thread t;
    current = &t;
    for (unsigned bz = 0; bz < grid.z; bz++)
        for (unsigned by = 0; by < grid.y; by++)
            for (unsigned bx = 0; bx < grid.x; bx++) {
                block_idx = {bx, by, bz};
                int linear = 0;
                for (unsigned z = 0; z < block.z; z++)
                    for (unsigned y = 0; y < block.y; y++)
                        for (unsigned x = 0; x < block.x; x++) {
                            t.idx = {x, y, z};
                            t.linear = linear++;
                            body.run(body.context);
                        }
            }
    current = nullptr;
}

/** Order of the fibers for one round: forward, reverse, or a permutation drawn from `state` (xorshift64). */
inline void round_order(Order order, std::uint64_t& state, std::vector<int>& out) {
    const int n = static_cast<int>(out.size());
    for (int i = 0; i < n; i++) out[i] = order == Order::kReverse ? n - 1 - i : i;
    if (order != Order::kShuffled) return;
    for (int i = n - 1; i > 0; i--) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        const int j = static_cast<int>(state % static_cast<std::uint64_t>(i + 1));
        const int tmp = out[i];
        out[i] = out[j];
        out[j] = tmp;
    }
}

/** Releases warp w's shuffle when every lane of its mask waits at it; fails on a shuffle that never can complete. */
inline bool release_warp(std::vector<Thread>& threads, int w, bool stuck_otherwise) {
    const int n = static_cast<int>(threads.size());
    const int first = w * 32, lanes = n - first < 32 ? n - first : 32;
    int leader = -1;
    for (int l = 0; l < lanes; l++)
        if (threads[first + l].state == State::kShuffle) {
            leader = first + l;
            break;
        }
    if (leader < 0) return false;
    const Thread& lead = threads[leader];
    bool ready = true;
    for (int l = 0; l < 32; l++) {
        if ((lead.mask >> l & 1u) == 0) continue;
        if (l >= lanes) {
            fail("__shfl_xor_sync at %s:%d with mask 0x%08x in warp %d, which has only %d threads (block of %d)",
                 base_name(lead.file), lead.site, lead.mask, w, lanes, n);
        }
        const Thread& t = threads[first + l];
        if (t.state == State::kShuffle) {
            if (t.site != lead.site || std::strcmp(t.file, lead.file) != 0 || t.mask != lead.mask
                || t.value_size != lead.value_size) {
                fail("warp %d: lanes %d and %d wait at different shuffles (%s:%d / %s:%d, masks 0x%08x / 0x%08x)",
                     w, lead.linear & 31, l, base_name(lead.file), lead.site, base_name(t.file), t.site, lead.mask,
                     t.mask);
            }
            if ((lead.mask >> t.source_lane & 1u) == 0) {
                fail("__shfl_xor_sync at %s:%d: lane %d reads lane %d, outside the mask 0x%08x",
                     base_name(t.file), t.site, l, t.source_lane, t.mask);
            }
        } else {
            ready = false;
            if (t.state == State::kDone || stuck_otherwise) {
                fail("__shfl_xor_sync at %s:%d with mask 0x%08x in warp %d: lane %d %s", base_name(lead.file),
                     lead.site, lead.mask, w, l,
                     t.state == State::kDone ? "has exited" : "waits at a __syncthreads instead");
            }
        }
    }
    if (!ready) return false;
    for (int l = 0; l < lanes; l++) {
        Thread& t = threads[first + l];
        if ((lead.mask >> l & 1u) == 0) continue;
        std::memcpy(t.result, threads[first + t.source_lane].value, sizeof t.result);
    }
    for (int l = 0; l < lanes; l++)
        if (lead.mask >> l & 1u) threads[first + l].state = State::kReady;
    return true;
}

/** Releases every warp whose shuffle can complete; returns whether one did. */
inline bool release_shuffles(std::vector<Thread>& threads, bool stuck_otherwise) {
    bool released = false;
    for (int w = 0; w * 32 < static_cast<int>(threads.size()); w++) released |= release_warp(threads, w, stuck_otherwise);
    return released;
}

/**
 * Runs warp w for as long as its shuffles complete (it stops at a barrier, at exit, or at a shuffle some lane has not
 * reached): a warp racing ahead of the others, as warps may on a GPU.
 */
inline void run_warp_ahead(std::vector<Thread>& threads, int w, bool reverse) {
    const int n = static_cast<int>(threads.size()), first = w * 32, lanes = n - first < 32 ? n - first : 32;
    while (release_warp(threads, w, false)) {
        for (int l = 0; l < lanes; l++) {
            Thread& t = threads[first + (reverse ? lanes - 1 - l : l)];
            if (t.state == State::kReady) resume(t);
        }
    }
}

/** Runs every block with one fiber per thread (see the file comment). */
inline void run_fibers(dim3 grid, dim3 block, Body body, Order order, std::uint64_t seed) {
    static std::vector<void*> stacks;
    const int n = static_cast<int>(block.x * block.y * block.z);
    while (static_cast<int>(stacks.size()) < n) stacks.push_back(allocate_stack(kStackBytes));
    std::vector<Thread> threads(static_cast<std::size_t>(n));
    std::vector<int> order_of_round(static_cast<std::size_t>(n));
    std::uint64_t random_state = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    grid_dim = grid;
    block_dim = block;
    active_body = body;
    fiber_mode = true;
    for (unsigned bz = 0; bz < grid.z; bz++)
        for (unsigned by = 0; by < grid.y; by++)
            for (unsigned bx = 0; bx < grid.x; bx++) {
                block_idx = {bx, by, bz};
                for (int i = 0; i < n; i++) {
                    Thread& t = threads[i];
                    t.idx = {i % block.x, (i / block.x) % block.y, i / (block.x * block.y)};
                    t.linear = i;
                    t.state = State::kReady;
                    t.stack = stacks[i];
                    prepare_fiber(t);
                }
                for (;;) {
                    round_order(order, random_state, order_of_round);
                    for (int i : order_of_round) {
                        if (threads[i].state != State::kReady) continue;
                        resume(threads[i]);
                        if (order != Order::kForward) run_warp_ahead(threads, i / 32, order == Order::kReverse);
                    }
                    int done = 0, at_barrier = 0, barrier_site = -1;
                    const char* barrier_file = "";
                    for (const Thread& t : threads) {
                        if (t.state == State::kDone) done++;
                        if (t.state == State::kBarrier) {
                            at_barrier++;
                            const bool same = t.site == barrier_site && std::strcmp(t.file, barrier_file) == 0;
                            if (barrier_site >= 0 && !same) {
                                fail("threads of block (%u, %u, %u) wait at different __syncthreads (%s:%d and %s:%d)",
                                     bx, by, bz, base_name(barrier_file), barrier_site, base_name(t.file), t.site);
                            }
                            barrier_site = t.site;
                            barrier_file = t.file;
                        }
                    }
                    if (done == n) break;
                    if (release_shuffles(threads, false)) continue;
                    if (at_barrier == n) {
                        for (Thread& t : threads) t.state = State::kReady;
                        continue;
                    }
                    if (at_barrier > 0 && done > 0) {
                        fail("block (%u, %u, %u): %d threads wait at __syncthreads (%s:%d) while %d have exited", bx,
                             by, bz, at_barrier, base_name(barrier_file), barrier_site, done);
                    }
                    release_shuffles(threads, true);  // fails with the reason
                    fail("block (%u, %u, %u): no thread can proceed", bx, by, bz);
                }
            }
    current = nullptr;
    fiber_mode = false;
}

}  // namespace cuda_host

#define __syncthreads() ::cuda_host::syncthreads(__FILE__, __LINE__)
#define __shfl_xor_sync(...) ::cuda_host::shfl_xor_sync(__FILE__, __LINE__, __VA_ARGS__)
