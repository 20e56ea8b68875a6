using System.Collections.Concurrent;
using Pacer.Http;

namespace Pacer.Tests.Support;

internal sealed class RecordingObserver : IRequestObserver
{
    public ConcurrentQueue<RequestOutcome> Outcomes { get; } = new();

    public void OnCompleted(RequestOutcome outcome) => Outcomes.Enqueue(outcome);
}
