using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>
/// Holds the limiter's <see cref="ValueTask{Permit}"/> so a test can see at once, without awaiting continuations,
/// whether it was admitted, rejected or cancelled: the limiter decides synchronously under fake time.
/// </summary>
internal sealed class PendingPermit(ValueTask<Permit> task)
{
    private readonly ValueTask<Permit> _task = task;
    private bool _consumed;
    private Permit? _permit;
    private Exception? _error;

    public bool IsCompleted => _consumed || _task.IsCompleted;

    public bool IsAdmitted => Consume() is not null;

    public Permit Permit => Consume() ?? throw new InvalidOperationException("Not admitted: " + _error?.Message);

    public Exception? Error
    {
        get
        {
            Consume();
            return _error;
        }
    }

    public T ErrorOf<T>()
        where T : Exception => Error.ShouldBeOfType<T>();

    private Permit? Consume()
    {
        if (!_consumed)
        {
            if (!_task.IsCompleted)
            {
                throw new InvalidOperationException("Still waiting for admission.");
            }

            _consumed = true;
            try
            {
                _permit = _task.GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                _error = e;
            }
        }

        return _permit;
    }
}
