// Choices remembered per device (this browser): cameras, microphones and speakers,
// noise suppression and background blur. Nothing here leaves the device.
const PREFIX = "duet.room.";

export const prefs = {
  get(key) {
    try {
      return localStorage.getItem(PREFIX + key);
    } catch {
      return null; // storage blocked: just do not remember
    }
  },
  set(key, value) {
    try {
      if (value == null || value === "") localStorage.removeItem(PREFIX + key);
      else localStorage.setItem(PREFIX + key, String(value));
    } catch {
      /* storage blocked */
    }
  },
};
