using Pacer.Goodput.Workloads;

namespace Pacer.Goodput.Systems;

/// <summary>A client of the Messages API as one system under test would be used by an application.</summary>
internal interface IRequestSender : IAsyncDisposable
{
    /// <summary>Sends one request and reads its whole answer; never throws for what the API or the client reports.</summary>
    Task<CallOutcome> SendAsync(WorkItem item, CancellationToken cancellationToken);
}
