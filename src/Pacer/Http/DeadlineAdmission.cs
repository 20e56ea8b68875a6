using Pacer.Limiting;

namespace Pacer.Http;

/// <summary>
/// The wait for admission of a request with a deadline: never begun once the cutoff has come, cut at the cutoff (the
/// waiter leaves the queue as if cancelled), and an admission that arrives too late to start the attempt is given back.
/// </summary>
internal static class DeadlineAdmission
{
    /// <summary>Waits for <paramref name="paced"/>'s admission; throws <see cref="PacerDeadlineExceededException"/> at its cutoff.</summary>
    public static ValueTask<Permit> AcquireAsync(Limiter limiter, PacedRequest paced, CancellationToken cancellationToken) =>
        paced.Retry.Deadline is { } deadline
            ? AcquireBeforeAsync(limiter, paced.Admission, deadline, cancellationToken)
            : limiter.AcquireAsync(paced.Admission, cancellationToken);

    private static async ValueTask<Permit> AcquireBeforeAsync(Limiter limiter, AcquireRequest admission, Retrying.RequestDeadline deadline, CancellationToken cancellationToken)
    {
        var time = limiter.TimeProvider;
        var left = deadline.LeftAt(time.GetUtcNow());
        if (left <= TimeSpan.Zero)
        {
            throw deadline.Exceeded("no attempt is started with less than the margin left", time.GetUtcNow());
        }

        Permit permit;
        using (var cut = new CancellationTokenSource(left, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cut.Token))
        {
            try
            {
                permit = await limiter.AcquireAsync(admission, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cut.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw deadline.Exceeded("the wait for admission was cut at the cutoff", time.GetUtcNow());
            }
            catch (PacerRejectedException) when (deadline.LeftAt(time.GetUtcNow()) <= TimeSpan.Zero)
            {
                // The limiter expired the waiter at the cutoff (the admission's deadline) a moment before the cut fired.
                throw deadline.Exceeded("the wait for admission was cut at the cutoff", time.GetUtcNow());
            }
        }

        if (deadline.LeftAt(time.GetUtcNow()) <= TimeSpan.Zero)
        {
            permit.Dispose();
            throw deadline.Exceeded("admission came too late to start the attempt", time.GetUtcNow());
        }

        return permit;
    }
}
