"""The application layer: the citizen's flows between the screens and the devices,
the outbox and the platform.

- `controller.KioskController`: the facade `kiosk.app.build_kiosk` builds; owns the
  session, the view model and the coordinators, routes the session's commands.
- `intents`: what the screens may call (`CitizenIntents`).
- `view.KioskView`: what the screens show besides the session.
- `card`, `face`, `submission`, `query`, `platform_link`, `device_board`: one
  coordinator per concern.
- `jobs.BackgroundJobs`: the one way to run work off the GUI thread.
- `technician`: the technician service behind the technician panel.
"""
