using Pacer.Usage;

namespace Pacer.Anthropic;

/// <summary>
/// The ambient facts of one tracked call on its async flow: who calls, for which endpoint, the budget hold
/// taken for it and the capture that receives its usage record. The SDK builds the HTTP request itself, so
/// <see cref="TrackedCallHandler"/> reads these from here.
/// </summary>
internal sealed class TrackedCall : IDisposable
{
    private static readonly AsyncLocal<TrackedCall?> Ambient = new();

    private TrackedCall(string user, string endpoint, UsageCapture capture)
    {
        User = user;
        Endpoint = endpoint;
        Capture = capture;
    }

    public static TrackedCall? Current => Ambient.Value;

    public string User { get; }

    public string Endpoint { get; }

    public UsageCapture Capture { get; }

    public BudgetReservation? Reservation { get; set; }

    public static TrackedCall Begin(string user, string endpoint)
    {
        var call = new TrackedCall(user, endpoint, UsageCapture.Begin());
        Ambient.Value = call;
        return call;
    }

    /// <summary>Makes this call current again on the current async flow.</summary>
    public void Enter()
    {
        Ambient.Value = this;
        Capture.Activate();
    }

    public void Dispose()
    {
        // The record has been charged by now; the hold goes back.
        Reservation?.Dispose();
        Capture.Dispose();
        if (ReferenceEquals(Ambient.Value, this))
        {
            Ambient.Value = null;
        }
    }
}
