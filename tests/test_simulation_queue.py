"""The app's simulation queue on its own, with plain threads: cheap jobs at once, long ones on a worker,
the latest job winning, cancellation, stopping, and a failing simulation given as a result."""

from __future__ import annotations

import threading

import pytest

from lrtui.params import ConfigError
from lrtui.sim.config import RunConfig
from lrtui.sim.engine import simulate
from lrtui.ui import simulation
from lrtui.ui.simulation import CHEAP_STEPS, Job, Results, SimulationQueue, ViewJob, run_job
from lrtui.ui.views import Work


def cosine(epochs: int, lr: float = 0.1, problem: str = "quadratic") -> RunConfig:
    return RunConfig(schedule={"name": "cosine", "params": {"lr": lr, "T_max": epochs}}, problem=problem, epochs=epochs)


class Recorder:
    """A queue whose worker is a plain thread and whose UI thread is whoever calls ``deliver`` (under a lock,
    as Textual's call_from_thread runs one thing at a time)."""

    def __init__(self) -> None:
        self.results: list[tuple[Job, Results]] = []
        self.cancelled = 0
        self.cancelled_jobs: list = []
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()
        self.queue = SimulationQueue(self.start, self.deliver, self.on_result, self.on_cancelled)

    def start(self, loop) -> None:
        thread = threading.Thread(target=loop)
        self.threads.append(thread)
        thread.start()

    def deliver(self, fn, *args) -> None:
        with self.lock:
            fn(*args)

    def on_result(self, job: Job, results: Results) -> None:
        self.results.append((job, results))

    def on_cancelled(self, job) -> None:
        self.cancelled += 1
        self.cancelled_jobs.append(job)

    def wait(self) -> None:
        assert self.queue.idle_event.wait(60), "the queue never went idle"
        for thread in self.threads:
            thread.join(60)


@pytest.fixture
def held(monkeypatch):
    """Jobs that wait to run until released: (started, release) events."""
    started, release = threading.Event(), threading.Event()
    real = simulation.run_job

    def waiting(job, progress=None):
        started.set()
        release.wait(60)
        return real(job, progress)

    monkeypatch.setattr(simulation, "run_job", waiting)
    yield started, release
    release.set()


def test_a_cheap_job_is_done_on_the_spot_and_equals_the_engine():
    rec = Recorder()
    job = Job(cosine(100))
    assert job.cheap
    assert rec.queue.submit(job) is True
    assert not rec.threads and not rec.queue.busy  # no thread: delivered before submit returned
    ((done, results),) = rec.results
    assert done is job
    assert (results.trace.loss == simulate(job.config).loss).all() and results.pins == ()


def test_a_long_job_goes_to_the_worker_and_comes_back_through_deliver():
    rec = Recorder()
    job = Job(cosine(CHEAP_STEPS + 1))
    assert not job.cheap
    assert rec.queue.submit(job) is False
    rec.wait()
    assert len(rec.threads) == 1
    ((done, results),) = rec.results
    assert done == job and len(results.trace.loss) == CHEAP_STEPS + 1
    assert rec.queue.progress is None  # cleared when the result was delivered


def test_jobs_submitted_while_one_runs_coalesce_to_the_latest(held):
    started, release = held
    rec = Recorder()
    first = Job(cosine(CHEAP_STEPS + 1))
    rec.queue.submit(first)
    assert started.wait(60)
    later = [Job(cosine(CHEAP_STEPS + 1, lr=lr)) for lr in (0.2, 0.3, 0.4)]
    for job in later:  # cheap or not, they wait: a worker is running
        assert rec.queue.submit(job) is False
    assert rec.queue.busy
    release.set()
    rec.wait()
    assert [job for job, _ in rec.results] == [first, later[-1]]  # the two in between never ran
    assert len(rec.threads) == 1  # one worker took both


def test_a_cheap_job_waits_behind_a_running_one(held):
    started, release = held
    rec = Recorder()
    rec.queue.submit(Job(cosine(CHEAP_STEPS + 1)))
    assert started.wait(60)
    assert rec.queue.submit(Job(cosine(10))) is False  # not run at once beside the worker
    release.set()
    rec.wait()
    assert [len(r.trace.loss) for _, r in rec.results] == [CHEAP_STEPS + 1, 10]


def test_cancel_stops_the_run_and_drops_what_waits():
    rec = Recorder()
    job = Job(cosine(100_000, problem="mlp"))  # seconds of work: cancelled long before it ends
    rec.queue.submit(job)
    rec.queue.submit(Job(cosine(99_999, problem="mlp")))  # waiting behind it
    while rec.queue.progress is None:
        threading.Event().wait(0.01)
    rec.queue.cancel()
    rec.wait()
    assert rec.cancelled == 1 and rec.results == []


def test_stop_delivers_nothing_more():
    rec = Recorder()
    rec.queue.submit(Job(cosine(100_000, problem="mlp")))
    while rec.queue.progress is None:
        threading.Event().wait(0.01)
    rec.queue.stop()
    rec.wait()
    assert rec.cancelled == 0 and rec.results == []


def test_a_failing_simulation_is_a_result_not_a_crash(monkeypatch):
    def broken(job, progress=None):
        raise MemoryError

    monkeypatch.setattr(simulation, "run_job", broken)
    rec = Recorder()
    pins = (cosine(CHEAP_STEPS + 1, lr=0.2),)
    rec.queue.submit(Job(cosine(CHEAP_STEPS + 1), pins))
    rec.wait()
    ((_, results),) = rec.results
    assert isinstance(results.trace, ConfigError) and "out of memory" in str(results.trace)
    assert results.pins == (results.trace,)


def test_run_job_reuses_known_pins_and_names_a_bad_one():
    good, other = cosine(50), cosine(50, lr=0.3)
    known = simulate(other)
    bad = RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 50}}, epochs=50,
                    problem="quadratic", problem_params={"L": -1.0})
    with pytest.raises(ConfigError):
        simulate(bad)  # (what makes it bad)
    results = run_job(Job(good, (other, bad), (known,)))
    assert results.pins[0] is known  # not run again
    assert isinstance(results.pins[1], ConfigError)
    assert (results.trace.loss == simulate(good).loss).all()


def _view_job(steps: int = CHEAP_STEPS + 1, result="done") -> ViewJob:
    return ViewJob(Work("range", (steps,), lambda progress: result, steps, analytic=True))


def test_a_views_job_never_replaces_a_runs_nor_waits_behind_one(held):
    """A view's job (the range test, the branches) is for the run on screen: while a run is simulating it
    is dropped (the view asks again once that run is shown), and a run submitted while a view's job waits
    replaces it."""
    started, release = held
    rec = Recorder()
    run = Job(cosine(CHEAP_STEPS + 1))
    rec.queue.submit(run)
    assert started.wait(60)
    assert rec.queue.submit(_view_job()) is False  # a run is running: dropped
    waiting = Job(cosine(CHEAP_STEPS + 1, lr=0.2))
    rec.queue.submit(waiting)
    assert rec.queue.submit(_view_job()) is False  # a run is waiting: dropped, the run stays
    release.set()
    rec.wait()
    assert [job for job, _ in rec.results] == [run, waiting]

    started.clear(), release.clear()
    rec = Recorder()
    rec.queue.submit(_view_job())
    assert started.wait(60)
    rec.queue.submit(_view_job(CHEAP_STEPS + 2))  # waits
    latest = Job(cosine(CHEAP_STEPS + 1, lr=0.3))
    rec.queue.submit(latest)  # replaces it
    release.set()
    rec.wait()
    assert [type(job).__name__ for job, _ in rec.results] == ["ViewJob", "Job"] and rec.results[1][0] == latest


def test_a_views_job_gives_its_result_or_its_error_and_a_short_one_runs_at_once():
    from lrtui.params import ConfigError

    rec = Recorder()
    assert rec.queue.submit(_view_job(100, result=42)) is True  # short and analytic: on the spot
    assert rec.results[-1][1].result == 42 and not rec.threads

    def refused(progress):
        raise ConfigError("num_training_steps=3000 is longer than the run")

    rec.queue.submit(ViewJob(Work("branches", ("x",), refused, CHEAP_STEPS + 1, analytic=False)))
    rec.wait()
    assert isinstance(rec.results[-1][1].result, ConfigError) and len(rec.threads) == 1


def test_a_view_may_ask_for_its_work_as_a_cancelled_run_is_undone():
    """Escape on a long run: the app goes back to the run before it and redraws its view, whose work (a
    range test) must not be dropped as if the cancelled run still held the worker."""
    rec = Recorder()
    asked = []

    def on_cancelled(job):
        rec.cancelled += 1
        asked.append(rec.queue.submit(_view_job()))  # what the redraw of the range view does

    rec.queue._on_cancelled = on_cancelled
    rec.queue.submit(Job(cosine(100_000, problem="mlp")))
    while rec.queue.progress is None:
        threading.Event().wait(0.01)
    rec.queue.cancel()
    rec.wait()
    assert rec.cancelled == 1 and asked == [False]  # queued for the worker, not dropped...
    assert [type(job).__name__ for job, _ in rec.results] == ["ViewJob"]  # ...and done


def test_a_job_is_cheap_only_when_its_seeds_and_pins_cost_little():
    """The hostile retry: cheap counted steps, not seeds: '+-' * 50 on 16 seeds of beale under adamw for 3,000
    epochs ran on the UI thread for 15 s. Cheap now asks the work estimate too."""
    from lrtui.sim.config import prepare
    from lrtui.ui.simulation import Job

    def job(**run):
        config = RunConfig(**run)
        return Job(config, prepared=prepare(config))

    noisy = dict(schedule={"name": "constant", "params": {"lr": 0.001}}, problem_params={"noise": 0.1})
    assert job(problem="quadratic", epochs=1000, **noisy).cheap  # 16 seeds of a short quadratic: a few ms
    assert not job(problem="beale", optimizer="adamw", epochs=3000, **noisy).cheap
    assert not job(problem="quadratic", epochs=3000, seeds=256, **noisy).cheap
    assert job(problem="beale", optimizer="adamw", epochs=100, seeds=1, **noisy).cheap
