using System.Collections.Concurrent;
using Pacer.Http;

namespace Pacer.Gateway.Tests.Support;

/// <summary>Receives the engine's request outcomes, so that a test can wait for a request's end instead of sleeping.</summary>
internal sealed class OutcomeWatcher : IRequestObserver
{
    private readonly ConcurrentQueue<RequestOutcome> _outcomes = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<RequestOutcome> Outcomes => _outcomes;

    public void OnCompleted(RequestOutcome outcome)
    {
        _outcomes.Enqueue(outcome);
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Waits (bounded) until at least <paramref name="count"/> outcomes have been reported.</summary>
    public async Task WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var bound = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (_outcomes.Count < count)
        {
            var next = Volatile.Read(ref _next).Task;
            if (_outcomes.Count >= count)
            {
                break;
            }

            await next.WaitAsync(bound.Token);
        }
    }
}
