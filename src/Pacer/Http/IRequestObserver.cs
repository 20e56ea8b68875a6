namespace Pacer.Http;

/// <summary>Receives every request's outcome; the usage ledger is one. Must not throw and must not block.</summary>
public interface IRequestObserver
{
    /// <summary>Called once per request when it ends.</summary>
    void OnCompleted(RequestOutcome outcome);
}
