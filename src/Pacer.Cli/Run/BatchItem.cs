namespace Pacer.Cli.Run;

/// <summary>One request of the run, from the moment it is read until its result is written (or it is cancelled).</summary>
internal sealed class BatchItem : IDisposable
{
    private readonly CancellationTokenSource _cancel;

    public BatchItem(string customId, string model, byte[] body, CancellationToken aborting)
    {
        CustomId = customId;
        Model = model;
        Body = body;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(aborting);
    }

    public static HttpRequestOptionsKey<BatchItem> OptionKey { get; } = new("Pacer.Cli.BatchItem");

    public string CustomId { get; }

    public string Model { get; }

    public byte[] Body { get; }

    /// <summary>Gets a token cancelled when this request is given up (stopping before it was sent, or a second Ctrl+C).</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>Gets or sets a value indicating whether an attempt was sent (set under <see cref="RunControl"/>'s lock).</summary>
    public bool Sent { get; set; }

    /// <summary>Gives the request up; one that finished meanwhile (its source disposed) has nothing left to cancel.</summary>
    public void Cancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Finished between the stop's snapshot of the waiting requests and this call.
        }
    }

    public void Dispose() => _cancel.Dispose();
}
