namespace Pacer.Cli.Run;

/// <summary>
/// Sits between the engine and the network: an attempt reaching it has been admitted. When the run is stopping, a
/// request that was never sent is not sent now (its token is cancelled, so the engine does not retry it).
/// </summary>
internal sealed class AdmissionGate(RunControl control) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(BatchItem.OptionKey, out var item) && !control.TryMarkSent(item))
        {
            item.Cancel();
            return Task.FromCanceled<HttpResponseMessage>(item.Token);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
