using Microsoft.Extensions.Time.Testing;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>A limiter on fake time, with helpers to acquire and to let continuations run.</summary>
internal sealed class LimiterFixture : IDisposable
{
    public static readonly DateTimeOffset Epoch = new(2025, 2, 24, 22, 0, 0, TimeSpan.Zero);

    public LimiterFixture(PacerOptions? options = null, ModelClassMap? classes = null)
    {
        Time = new FakeTimeProvider(Epoch);
        Limiter = new Limiter(options ?? new PacerOptions(), Time, modelClasses: classes);
    }

    public FakeTimeProvider Time { get; }

    public Limiter Limiter { get; }

    public static AcquireRequest Request(string user = "u", string model = "claude-sonnet-4-5", int input = 0, int output = 0, string key = "k", DateTimeOffset? deadline = null) =>
        new(key, model, user, new RequestCost(input, output), deadline);

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public Task<Permit> Acquire(string user = "u", string model = "claude-sonnet-4-5", int input = 0, int output = 0, string key = "k", DateTimeOffset? deadline = null) =>
        Limiter.AcquireAsync(Request(user, model, input, output, key, deadline), TestContext.Current.CancellationToken).AsTask();

    public PendingPermit Start(string user = "u", string model = "claude-sonnet-4-5", int input = 0, int output = 0, string key = "k", DateTimeOffset? deadline = null) =>
        new(Limiter.AcquireAsync(Request(user, model, input, output, key, deadline), TestContext.Current.CancellationToken));

    public PendingPermit Start(CancellationToken cancellationToken, string user = "u", string model = "claude-sonnet-4-5") =>
        new(Limiter.AcquireAsync(Request(user, model), cancellationToken));

    /// <summary>Waits (bounded, never on fake time) for a task whose outcome is already decided to finish its continuations.</summary>
    public static Task<T> Settled<T>(Task<T> task) => task.WaitAsync(Patience, TestContext.Current.CancellationToken);

    /// <summary>Acquires and expects an admission at once.</summary>
    public Permit AcquireNow(string user = "u", string model = "claude-sonnet-4-5", int input = 0, int output = 0, string key = "k")
    {
        var pending = Start(user, model, input, output, key);
        pending.IsCompleted.ShouldBeTrue("expected an admission at once");
        return pending.Permit;
    }

    public void Advance(TimeSpan by) => Time.Advance(by);

    /// <summary>Asserts that <paramref name="pending"/> waits exactly <paramref name="wait"/> (to the millisecond) and is then admitted.</summary>
    public void ShouldAdmitAfter(PendingPermit pending, TimeSpan wait)
    {
        Advance(wait - TimeSpan.FromMilliseconds(1));
        pending.IsCompleted.ShouldBeFalse();
        Advance(TimeSpan.FromMilliseconds(1));
        pending.IsAdmitted.ShouldBeTrue();
    }

    public void Dispose() => Limiter.Dispose();
}
