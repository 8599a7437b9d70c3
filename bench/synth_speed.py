"""Generation speed: 10 subjects x 5 minutes of walking (target: <= 30 s on 2 cores)."""
import tempfile
import time
from pathlib import Path

from common import write_result

from trainer.synth.dataset import synthesize_dataset

SUBJECTS, MINUTES, TARGET_S = 10, 5.0, 30.0


def timed(jobs: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        synthesize_dataset(Path(tmp) / "ds", SUBJECTS, MINUTES, seed=0, jobs=jobs)
        return time.perf_counter() - start


if __name__ == "__main__":
    times = {f"jobs_{jobs}_s": round(timed(jobs), 2) for jobs in (1, 2)}
    print(times)
    write_result("synth_speed", {"subjects": SUBJECTS, "minutes_per_subject": MINUTES,
                                 "samples": int(SUBJECTS * MINUTES * 60 * 100), **times,
                                 "target_s": TARGET_S, "meets_target": times["jobs_2_s"] <= TARGET_S})
